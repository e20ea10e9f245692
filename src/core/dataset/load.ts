import { WHOLE_DATASET, baseName } from './issues';
import { parseJsonl } from './jsonl';
import { compareCodeUnits } from './languages';
import { lareqaLanguage, parseLareqa } from './lareqa';
import { parseMiracl } from './miracl';
import { isMiraclFileName, miraclLanguage } from './miracl-names';
import { DatasetError, type Dataset, type DatasetFile, type LoadOptions } from './types';

export type { LoadOptions } from './types';

export type DatasetFormat = 'lareqa' | 'jsonl' | 'miracl';

/**
 * `topics.tsv`, `qrels.tsv` and `docs-*.jsonl[.gz]` are the MIRACL layout, other `*.json` is LAReQA
 * JSON, `*.jsonl` the JSONL format; anything else (LICENSE, README) is not data.
 */
export function datasetFormatOf(fileName: string): DatasetFormat | undefined {
  if (isMiraclFileName(fileName)) return 'miracl';
  const name = fileName.toLowerCase();
  if (name.endsWith('.json')) return 'lareqa';
  if (name.endsWith('.jsonl')) return 'jsonl';
  return undefined;
}

/** So that readers can skip reading files that loadDataset would ignore anyway. */
export function isDatasetFileName(fileName: string): boolean {
  return datasetFormatOf(fileName) !== undefined;
}

/**
 * Reads a dataset from its files, whatever the format (picked from the file names), and applies the
 * language and article subsets. Throws DatasetError with every problem found (capped).
 */
export function loadDataset(files: DatasetFile[], options: LoadOptions = {}): Dataset {
  const data = files.filter((f) => isDatasetFileName(f.name));
  const formats = new Set(data.map((f) => datasetFormatOf(f.name)));
  if (files.length === 0) throw wholeDatasetError('no files: pick a dataset folder or its files');
  if (data.length === 0) {
    throw wholeDatasetError(
      `no dataset files among ${files.map((f) => baseName(f.name)).join(', ')}: expected one ` +
        '<lang>.json per language (LAReQA), queries.jsonl, candidates.jsonl and relevance.jsonl, ' +
        'or <lang>/topics.tsv, <lang>/qrels.tsv and <lang>/docs-*.jsonl (MIRACL)',
    );
  }
  if (formats.size > 1) {
    throw wholeDatasetError(formats.has('miracl')
      ? 'MIRACL files (topics.tsv, qrels.tsv, docs-*.jsonl) beside .json or .jsonl files: a dataset is in one format'
      : 'both .json and .jsonl files: a dataset is LAReQA JSON or JSONL, not both');
  }
  const named = { ...options, name: options.name ?? folderName(files) };
  if (formats.has('miracl')) return parseMiracl(data, { ...options, name: options.name ?? miraclFolderName(files) });
  return formats.has('jsonl') ? parseJsonl(data, named) : parseLareqa(data, named);
}

/** `miracl/ar/topics.tsv`, `miracl/de/...` -> `miracl` (the folder above the language folders); else `dataset`. */
function miraclFolderName(files: DatasetFile[]): string {
  const folders = new Set(files.map((f) => f.name.split(/[/\\]/).slice(-3, -2)[0] ?? ''));
  const [folder] = folders;
  return folders.size === 1 && folder ? folder : 'dataset';
}

/** `xquad-r/en.json`, `xquad-r/de.json` -> `xquad-r`; plain names -> `dataset`. */
function folderName(files: DatasetFile[]): string {
  const folders = new Set(files.map((f) => f.name.split(/[/\\]/).slice(-2, -1)[0] ?? ''));
  const [folder] = folders;
  return folders.size === 1 && folder ? folder : 'dataset';
}

function wholeDatasetError(message: string): DatasetError {
  return new DatasetError([{ file: WHOLE_DATASET, place: '', message }]);
}

/** The one format of the data files among these names; null when there are none or they mix formats. */
export function formatOfFileNames(names: string[]): DatasetFormat | null {
  const formats = new Set(names.map(datasetFormatOf).filter((format) => format !== undefined));
  return formats.size === 1 ? [...formats][0] : null;
}

/**
 * Languages named by the file names: LAReQA's (`en.json`) or MIRACL's language folders
 * (`ar/topics.tsv`); null when the files do not say (JSONL) or mix formats.
 */
export function languagesFromFileNames(names: string[]): string[] | null {
  const format = formatOfFileNames(names);
  if (format === null || format === 'jsonl') return null;
  const language = format === 'lareqa' ? lareqaLanguage : miraclLanguage;
  const languages = new Set(names.filter(isDatasetFileName).map(language));
  return languages.has('') ? null : [...languages].sort(compareCodeUnits);
}
