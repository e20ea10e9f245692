/**
 * Writes an exported layer-tuned model folder (core/tuning/export-folder.ts says which files): the
 * original folder's config, tokenizer and other non-weight files byte for byte, and `onnx/model.onnx`
 * = the bytes exportTunedModel returned.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { copiedToTunedExport, TUNED_MODEL_FILE } from '../core/tuning/export-folder';

/** Returns the files written, relative to `target`, sorted. */
export async function writeTunedModelFolder(source: string, target: string, tunedModel: Uint8Array): Promise<string[]> {
  const from = resolve(source);
  const to = resolve(target);
  if (to === from || to.startsWith(from + sep)) throw new Error(`export the tuned model outside the original folder ${from}, not into ${to}.`);
  const entries = await readdir(from, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => relative(from, join(e.parentPath, e.name)).split(sep).join('/'));
  const copied = files.filter(copiedToTunedExport);
  for (const file of copied) {
    await mkdir(dirname(join(to, file)), { recursive: true });
    await copyFile(join(from, file), join(to, file));
  }
  await mkdir(join(to, 'onnx'), { recursive: true });
  await writeFile(join(to, TUNED_MODEL_FILE), tunedModel);
  return [...copied, TUNED_MODEL_FILE].sort();
}
