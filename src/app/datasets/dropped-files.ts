/**
 * The files of a drop: dropped files as they are, and a dropped folder's own files, named
 * `<folder>/<file>` so that the folder names the dataset. Datasets read the folder's own files only
 * (like `--dataset <dir>`); a model folder needs its subfolders too (`recursive`: `<folder>/onnx/model.onnx`).
 */
export interface DroppedFile {
  name: string;
  blob: Blob;
}

/** Must be called inside the drop handler: a DataTransfer's items are gone once it returns. */
export function droppedFiles(transfer: DataTransfer, { recursive = false } = {}): Promise<DroppedFile[]> {
  const entries = Array.from(transfer.items, (item) => item.webkitGetAsEntry());
  if (entries.every((entry) => entry === null)) {
    return Promise.resolve(Array.from(transfer.files, (file) => ({ name: file.name, blob: file })));
  }
  return Promise.all(entries.map((entry) => (entry ? filesOfEntry(entry, '', recursive) : []))).then((lists) => lists.flat());
}

async function filesOfEntry(entry: FileSystemEntry, parent: string, recursive: boolean): Promise<DroppedFile[]> {
  const name = parent ? `${parent}/${entry.name}` : entry.name;
  if (isFile(entry)) return [{ name, blob: await fileOf(entry) }];
  if (!isDirectory(entry)) return [];
  const children = await readAllEntries(entry);
  const lists = await Promise.all(
    children.map((child) => (isFile(child) || recursive ? filesOfEntry(child, name, recursive) : [])),
  );
  return lists.flat();
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
