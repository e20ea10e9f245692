/**
 * Runs in IndexedDB, one record per run under its id (a UUID, so two tabs never collide), each
 * `{ version, run }`. Records are read back one by one through a schema: a bad one is skipped with
 * its reason and stays in storage (to download or remove), a record of an older version is
 * migrated, one of a newer version is left alone. Run numbers come from a counter that tabs share
 * (updated in one IndexedDB transaction), and tabs tell each other of saved and deleted runs on a
 * BroadcastChannel, so that one tab's work never overwrites another's.
 */
import { createStore, del, entries, get, set, update } from 'idb-keyval';
import { isRecord } from '../../core/dataset/issues';
import type { Run } from './runs';
import { runProblems, summarizeProblems } from './run-schema';

const runStore = createStore('xling-lab-runs', 'runs');
const counterStore = createStore('xling-lab-run-numbers', 'numbers');
const COUNTER_KEY = 'next';
const CHANNEL = 'xling-lab-runs';

/** 0: a run kept inside the notebook record (before one record per run); evaluations had no `kind`. */
export const RUN_RECORD_VERSION = 1;
const MIGRATIONS: Array<(run: Record<string, unknown>) => Record<string, unknown>> = [(run) => ({ ...run, kind: run.kind ?? 'evaluation' })];

/** A stored record that could not be read as a run; kept in storage until the user removes it. */
export interface SkippedRun {
  key: string;
  reason: string;
  record: unknown;
}

/** A stored record as a run (migrated when older), or why it cannot be one. */
export function readRunRecord(key: string, record: unknown): { run: Run } | { skipped: SkippedRun } {
  const skip = (reason: string) => ({ skipped: { key, reason, record } });
  if (!isRecord(record)) return skip('the record is not an object');
  const { version } = record;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) return skip('the record has no version');
  if (version > RUN_RECORD_VERSION) return skip(`saved by a newer version of xling-lab (record version ${version}); left in storage for it`);
  let run: unknown = record.run;
  for (let v = version; v < RUN_RECORD_VERSION && isRecord(run); v++) run = MIGRATIONS[v](run);
  const problems = runProblems(run);
  if (problems.length > 0) return skip(summarizeProblems(problems));
  const checked = run as Run;
  if (checked.id !== key) return skip(`run.id "${checked.id}" is not the key it is stored under`);
  return { run: checked };
}

/**
 * Every stored run, in number order, and the records skipped. `legacyRuns` (the runs array of a
 * notebook record of version 1) are first moved into the store, each as a version-0 record.
 */
export async function loadStoredRuns(legacyRuns: unknown[]): Promise<{ runs: Run[]; skipped: SkippedRun[] }> {
  await Promise.all(legacyRuns.map((run, i) => set(isRecord(run) && typeof run.id === 'string' ? run.id : `legacy-${i}`, { version: 0, run }, runStore)));
  const runs: Run[] = [];
  const skipped: SkippedRun[] = [];
  for (const [key, record] of await entries(runStore)) {
    const read = readRunRecord(String(key), record);
    if ('run' in read) runs.push(read.run);
    else skipped.push(read.skipped);
  }
  runs.sort((a, b) => a.number - b.number || a.createdAt - b.createdAt);
  const claimed = numberClaimedBySkipped(skipped);
  if (claimed > 0) await raiseRunCounter(claimed + 1);
  return { runs, skipped };
}

/**
 * The highest run number that skipped records still carry: once one is repaired or downloaded and
 * imported, its number must not have been given to another run meanwhile.
 */
export function numberClaimedBySkipped(skipped: SkippedRun[]): number {
  const numbers = skipped.map(({ record }) => {
    const number = isRecord(record) && isRecord(record.run) ? record.run.number : undefined;
    return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : 0;
  });
  return Math.max(0, ...numbers);
}

/** Makes the shared counter hand out `next` or more from now on. */
async function raiseRunCounter(next: number): Promise<void> {
  await update<number>(COUNTER_KEY, (current) => Math.max(next, counterValue(current)), counterStore)
    .catch((error: unknown) => console.warn('Run numbers are not shared with other tabs (no IndexedDB):', error));
}

export async function saveRun(run: Run): Promise<void> {
  await set(run.id, { version: RUN_RECORD_VERSION, run }, runStore);
}

export async function deleteStoredRun(key: string): Promise<void> {
  await del(key, runStore);
}

const counterValue = (next: unknown): number => (typeof next === 'number' && Number.isInteger(next) ? next : 1);

/** The next run number, unique across tabs: a shared counter, never below the runs this tab knows. */
export async function allocateRunNumber(known: Run[]): Promise<number> {
  const floor = Math.max(0, ...known.map((run) => run.number)) + 1;
  let allocated = floor;
  try {
    await update<number>(COUNTER_KEY, (next) => {
      allocated = Math.max(floor, counterValue(next));
      return allocated + 1;
    }, counterStore);
  } catch (error) {
    console.warn('Run numbers are not shared with other tabs (no IndexedDB):', error);
  }
  return allocated;
}

export type RunChange = { type: 'saved'; id: string } | { type: 'deleted'; id: string };

/** The other tabs' saved and deleted runs; `close` stops listening. */
export function listenToOtherTabs(onSaved: (run: Run) => void, onDeleted: (id: string) => void): { announce(change: RunChange): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { announce: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const change = event.data;
    if (!isRecord(change) || typeof change.id !== 'string') return;
    const id = change.id;
    if (change.type === 'deleted') onDeleted(id);
    else if (change.type === 'saved') {
      void get(id, runStore).then((record) => {
        const read = readRunRecord(id, record);
        if ('run' in read) onSaved(read.run);
        else console.warn(`A run saved in another tab could not be read: ${read.skipped.reason}`);
      });
    }
  };
  return { announce: (change) => channel.postMessage(change), close: () => channel.close() };
}
