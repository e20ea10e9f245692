/**
 * Output paths (`--out`, `--export`, `--export-head`) are checked before any work, so that a typo
 * costs nothing, and every message names the flag. Files are written to a temporary name beside
 * the target and renamed into place, so that a failed write leaves an earlier file as it was.
 */
import { constants } from 'node:fs';
import { access, mkdir, readlink, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './flags';

export interface OutputPath {
  flag: string;
  path: string;
  kind: 'file' | 'folder';
}

/**
 * Each path: its parent folder exists and is writable; a file is not an existing folder; a folder
 * is not an existing file. Two flags may not name the same path, and no output may land on a
 * file the command reads (`inputs`: dataset folders, whose .json/.jsonl files would be replaced).
 */
export async function checkOutputs(outputs: OutputPath[], inputFolders: string[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const { flag, path, kind } of outputs) {
    if (path.trim() === '') throw new UsageError(`${flag} needs a path, got an empty one.`);
    const target = resolve(path);
    const earlier = seen.get(target);
    if (earlier !== undefined) throw new UsageError(`${flag} and ${earlier} name the same path ${path}: give each its own.`);
    seen.set(target, flag);
    if (kind === 'file' && /\.jsonl?$/i.test(target) && inputFolders.some((folder) => dirname(target) === resolve(folder))) {
      throw new UsageError(`${flag} ${path} is inside the dataset folder and would become part of the dataset: write it elsewhere.`);
    }
    const parent = dirname(target);
    const parentStat = await stat(parent).catch(() => undefined);
    if (!parentStat) throw new UsageError(`${flag} ${path}: the folder ${parent} does not exist.`);
    if (!parentStat.isDirectory()) throw new UsageError(`${flag} ${path}: ${parent} is not a folder.`);
    const own = await stat(target).catch(() => undefined);
    if (kind === 'file' && own?.isDirectory()) throw new UsageError(`${flag} ${path} is a folder: give a file name.`);
    if (kind === 'folder' && own && !own.isDirectory()) throw new UsageError(`${flag} ${path} is a file: give a folder (new or existing).`);
    if (!(await writable(own ? target : parent))) {
      throw new UsageError(`${flag} ${path}: no permission to write ${own ? 'it' : `in ${parent}`}.`);
    }
  }
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes all of `data` or nothing: a failure leaves what was at `path` before. The temporary file
 * goes beside the real target (a symbolic link is written through, not replaced); a target that is
 * not a regular file (/dev/null, a pipe) is written directly, never replaced.
 */
export async function writeOutputFile(flag: string, path: string, data: string | Uint8Array): Promise<void> {
  const target = await realpath(path).catch(async () => {
    // A link to a file not there yet: write the file it names.
    const link = await readlink(path).catch(() => undefined);
    return link === undefined ? path : resolve(dirname(path), link);
  });
  const existing = await stat(target).catch(() => undefined);
  const temporary = `${target}.${process.pid}.partial`;
  try {
    if (existing && !existing.isFile()) {
      await writeFile(target, data);
      return;
    }
    await writeFile(temporary, data);
    await rename(temporary, target);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    throw new Error(`${flag} ${path}: could not write it: ${(e as Error).message}`);
  }
}

/** Runs a folder writer with its failures named by the flag. */
export async function writeOutputFolder(flag: string, path: string, write: (path: string) => Promise<void>): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
    await write(path);
  } catch (e) {
    throw new Error(`${flag} ${path}: could not write the folder: ${(e as Error).message}`);
  }
}
