/**
 * Trained heads, exported (serializeHead's JSON, 16 MiB for a 2048-d linear head), kept in their own
 * IndexedDB store by run id: too big to travel with every save of the notebook's state.
 */
import { createStore, del, get, keys, set } from 'idb-keyval';

const store = createStore('xling-lab-heads', 'heads');

export function saveHead(runId: string, head: string): Promise<void> {
  return set(runId, head, store);
}

export async function loadHead(runId: string): Promise<string | null> {
  const head: unknown = await get(runId, store);
  return typeof head === 'string' ? head : null;
}

/** Drops the heads of runs that were deleted. */
export async function keepHeadsOf(runIds: string[]): Promise<void> {
  const kept = new Set(runIds);
  for (const key of await keys(store)) {
    if (typeof key === 'string' && !kept.has(key)) await del(key, store);
  }
}
