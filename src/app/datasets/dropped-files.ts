/**
 * The files of a drop: dropped files as they are, and a dropped folder's files, named
 * `<folder>/<file>` so that the folder names the dataset. Which files of its subfolders come too
 * (for a drop, and for a folder picker, which hands over every file at any depth):
 * - `none`: the folder's own files only (embedding export folders);
 * - `language folders`: a dataset's, like `--dataset <dir>`: the folder's own files and the MIRACL
 *   files (`topics.tsv`, `qrels.tsv`, `docs-*.jsonl[.gz]`) of its language folders, one level down;
 * - `all`: every file at any depth (a model folder: `<folder>/onnx/model.onnx`).
 */
import { isMiraclFileName } from '../../core/dataset/miracl-names';

export interface DroppedFile {
  name: string;
  blob: Blob;
}

export type Subfolders = 'none' | 'language folders' | 'all';

/** Must be called inside the drop handler: a DataTransfer's items are gone once it returns. */
export function droppedFiles(transfer: DataTransfer, subfolders: Subfolders): Promise<DroppedFile[]> {
  const entries = Array.from(transfer.items, (item) => item.webkitGetAsEntry());
  if (entries.every((entry) => entry === null)) {
    return Promise.resolve(Array.from(transfer.files, (file) => ({ name: file.name, blob: file })));
  }
  return Promise.all(entries.map((entry) => (entry ? filesOfEntry(entry, '', 0, subfolders) : []))).then((lists) => lists.flat());
}

/** `depth`: 0 for a dropped entry, 1 for a dropped folder's children, 2 for theirs. */
async function filesOfEntry(entry: FileSystemEntry, parent: string, depth: number, subfolders: Subfolders): Promise<DroppedFile[]> {
  const name = parent ? `${parent}/${entry.name}` : entry.name;
  if (isFile(entry)) return keepsFile(entry.name, depth, subfolders) ? [{ name, blob: await fileOf(entry) }] : [];
  if (!isDirectory(entry) || !opensFolder(depth, subfolders)) return [];
  const children = await readAllEntries(entry);
  const lists = await Promise.all(children.map((child) => filesOfEntry(child, name, depth + 1, subfolders)));
  return lists.flat();
}

/** Whether a file `depth` levels below the dropped or picked entry comes along (1: a picked folder's own files). */
export function keepsFile(fileName: string, depth: number, subfolders: Subfolders): boolean {
  if (depth <= 1 || subfolders === 'all') return true;
  return subfolders === 'language folders' && depth === 2 && isMiraclFileName(fileName);
}

function opensFolder(depth: number, subfolders: Subfolders): boolean {
  return depth === 0 || subfolders === 'all' || (subfolders === 'language folders' && depth === 1);
}

/** `readEntries` hands out a directory in batches; an empty batch means the end. */
async function readAllEntries(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

const isFile = (entry: FileSystemEntry): entry is FileSystemFileEntry => entry.isFile;
const isDirectory = (entry: FileSystemEntry): entry is FileSystemDirectoryEntry => entry.isDirectory;
