/**
 * Dataset files as the lab worker reads them, picked or downloaded: gzipped corpus files unzipped
 * (core/dataset/gzip.ts), the browser's size limits checked again on the unzipped sizes (a corpus
 * grows several times unzipped), then decoded as UTF-8 with located errors (core/dataset/utf8.ts).
 */
import { gunzipDatasetFiles, type RawDatasetFile } from '../../src/core/dataset/gzip';
import type { DatasetFile } from '../../src/core/dataset/types';
import { decodeDatasetFiles } from '../../src/core/dataset/utf8';
import { browserFilesProblem } from '../../src/core/job-size';

export async function decodeBrowserDatasetFiles(files: RawDatasetFile[]): Promise<DatasetFile[]> {
  const unzipped = await gunzipDatasetFiles(files);
  const sizeProblem = browserFilesProblem(unzipped.flatMap(({ name, bytes }) => (bytes ? [{ name, size: bytes.byteLength }] : [])));
  if (sizeProblem) throw new Error(sizeProblem);
  return decodeDatasetFiles(unzipped);
}
