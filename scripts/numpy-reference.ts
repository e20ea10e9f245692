/**
 * The NumPy evaluation (scripts/numpy_eval.py) as the benchmarks' real alternative: writes the
 * embeddings and the task where the script reads them, runs it, returns its seconds and summary.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CellMetrics, EvalSummary, MultilingualMetrics, RetrievalTask } from '../src/core/metrics/types';
import { encodeNpyFloat32 } from '../src/core/npy';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy_eval.py');

export interface NumpyRun {
  seconds: number;
  summary: EvalSummary;
  /** Cells with n > 0 only. */
  cells: Record<string, Record<string, Pick<CellMetrics, 'map' | 'ndcg10' | 'r100' | 'n'>>>;
  multilingual: Record<string, Pick<MultilingualMetrics, 'map' | 'r10' | 'ndcg10' | 'r100' | 'n'>>;
  numpy: string;
}

export interface NumpyOptions {
  /** The interpreter: `python3` on the PATH unless given (Debian's /usr/bin/python3 has NumPy). */
  python?: string;
  /** Scores summed in float64 and rounded to float32, as the CLI's exact kernels store them: for checking numbers, not timing. */
  float64?: boolean;
}

/** Runs the NumPy evaluation `runs` times on the same files (loading excluded from each time). */
export async function numpyEvaluate(task: RetrievalTask, queries: Float32Array, candidates: Float32Array, dim: number, runs = 1,
  { python = 'python3', float64 = false }: NumpyOptions = {}): Promise<NumpyRun[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'xling-numpy-'));
  try {
    await writeFile(path.join(dir, 'queries.npy'), encodeNpyFloat32(queries, task.queryCount, dim));
    await writeFile(path.join(dir, 'candidates.npy'), encodeNpyFloat32(candidates, task.candidateCount, dim));
    const relevant = Array.from({ length: task.queryCount }, (_, q) => Array.from(task.relevant.subarray(task.relevantStart[q], task.relevantStart[q + 1])));
    const taskFile = path.join(dir, 'task.json');
    await writeFile(taskFile, JSON.stringify({ languages: task.languages, query_lang: Array.from(task.queryLang), candidate_lang: Array.from(task.candidateLang), relevant }));
    const results: NumpyRun[] = [];
    for (let i = 0; i < runs; i++) {
      const out = path.join(dir, `run-${i}.json`);
      await promisify(execFile)(python, [SCRIPT, dir, taskFile, out, ...(float64 ? ['--float64'] : [])]);
      results.push(JSON.parse(await readFile(out, 'utf8')) as NumpyRun);
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
