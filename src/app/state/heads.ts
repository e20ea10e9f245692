/**
 * Trained heads, exported (serializeHead's JSON, 16 MiB for a 2048-d linear head), kept in their own
 * IndexedDB store by run id: too big to travel with every save of the notebook's state.
 */
import { createStore, del, get, keys, set } from 'idb-keyval';
import type { LayerWeights } from '../../core/tuning/layer';

const store = createStore('xling-lab-heads', 'heads');

export function saveHead(runId: string, head: string): Promise<void> {
  return set(runId, head, store);
}

/** A layer run's tuned layers (bottom first), kept in the same store under the run's id. */
export function saveTunedLayers(runId: string, layers: LayerWeights[]): Promise<void> {
  return set(runId, { kind: 'layers', layers }, store);
}

export async function loadTunedLayers(runId: string): Promise<LayerWeights[] | null> {
  const stored: unknown = await get(runId, store);
  return typeof stored === 'object' && stored !== null && (stored as { kind?: unknown }).kind === 'layers' ? (stored as { layers: LayerWeights[] }).layers : null;
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
