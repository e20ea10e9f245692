/**
 * The files of a drop: dropped files as they are, and a dropped folder's own files (not its
 * subfolders, like the folder picker and `--dataset <dir>`), named `<folder>/<file>` so that the
 * folder names the dataset.
 */
export interface DroppedFile {
  name: string;
  blob: Blob;
}

/** Must be called inside the drop handler: a DataTransfer's items are gone once it returns. */
export function droppedFiles(transfer: DataTransfer): Promise<DroppedFile[]> {
  const entries = Array.from(transfer.items, (item) => item.webkitGetAsEntry());
  if (entries.every((entry) => entry === null)) {
    return Promise.resolve(Array.from(transfer.files, (file) => ({ name: file.name, blob: file })));
  }
  return Promise.all(entries.map((entry) => (entry ? filesOfEntry(entry) : []))).then((lists) => lists.flat());
}

async function filesOfEntry(entry: FileSystemEntry): Promise<DroppedFile[]> {
  if (isFile(entry)) return [{ name: entry.name, blob: await fileOf(entry) }];
  if (!isDirectory(entry)) return [];
  const children = (await readAllEntries(entry)).filter(isFile);
  return Promise.all(children.map(async (child) => ({ name: `${entry.name}/${child.name}`, blob: await fileOf(child) })));
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
