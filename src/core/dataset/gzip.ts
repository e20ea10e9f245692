import { IssueLog } from './issues';

/** A file as read: bytes, or null for a file that is not data (handed over unread). */
export interface RawDatasetFile {
  name: string;
  bytes: Uint8Array | null;
}

export type Gunzip = (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * Gzipped dataset files (MIRACL's `docs-*.jsonl.gz`) are handed to the parsers unzipped, under the
 * name without `.gz`, by every reader (the CLI's folders, the notebook's picks and downloads).
 * `gunzip`: DecompressionStream by default (browsers, workers and Node alike); the CLI passes
 * node:zlib's, faster in Node. A file that is not whole gzip is an error naming it,
 * never a half-read corpus; files without bytes (not data) pass unread.
 */
export async function gunzipDatasetFiles(files: RawDatasetFile[], gunzip: Gunzip = streamGunzip): Promise<RawDatasetFile[]> {
  const unzipped = await Promise.all(files.map(async ({ name, bytes }) => {
    if (bytes === null || !name.toLowerCase().endsWith('.gz')) return { name, bytes };
    try {
      return { name: name.slice(0, -'.gz'.length), bytes: await gunzip(bytes) };
    } catch (error) {
      return { name, bytes, problem: error instanceof Error ? error.message : String(error) };
    }
  }));
  const log = new IssueLog();
  for (const file of unzipped) {
    if ('problem' in file) log.error(file.name, '', `not a whole gzip file (${file.problem}): compress it again with gzip, or give the .jsonl unzipped`);
  }
  log.throwIfErrors();
  return unzipped;
}

async function streamGunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
