/**
 * Models written by scripts/make-test-model.ts, made once per script version and options and
 * reused by every test file that asks for them (a MiniLM-shaped model takes seconds to write).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/make-test-model.ts');

/** The tiny default model (2 layers, hidden 32) with the seed the CLI tests use. */
export const TINY_MODEL = ['--seed', '7'];
/** paraphrase-multilingual-MiniLM-L12-v2's layer shape (make-test-model's header). */
export const MINILM_MODEL = ['--layers', '12', '--hidden', '384', '--heads', '12', '--intermediate', '1536', '--layer-norm-eps', '1e-12', '--seed', '7'];

/** The folder of a test model with these options, written on first use; keyed by the script's text. */
export async function testModel(options: readonly string[]): Promise<string> {
  const key = createHash('sha256').update(await readFile(SCRIPT)).update(JSON.stringify(options)).digest('hex').slice(0, 16);
  const folder = join(tmpdir(), 'xling-test-models', key);
  if (await access(join(folder, 'onnx', 'model.onnx')).then(() => true, () => false)) return folder;
  // Written aside and renamed, so a parallel test file never sees a half-written folder.
  const partial = `${folder}.${process.pid}.partial`;
  await mkdir(partial, { recursive: true });
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), SCRIPT, partial, ...options], { cwd: ROOT });
  await rename(partial, folder).catch(async (error: NodeJS.ErrnoException) => {
    // Another test file finished the same model first.
    await rm(partial, { recursive: true, force: true });
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
  return folder;
}
