/** The notebook's runs as it stored them in IndexedDB (src/app/state/run-store.ts): what browser benchmarks read their timings from. */
import type { Page } from 'playwright-core';

/** One record per run, in number order. */
export async function storedRuns(page: Page): Promise<unknown[]> {
  return page.evaluate(
    () =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('xling-lab-runs');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('runs').objectStore('runs').getAll();
          request.onsuccess = () =>
            resolve((request.result as { run: { number: number } }[]).map((record) => record.run).sort((a, b) => a.number - b.number));
          request.onerror = () => reject(request.error);
        };
      }),
  );
}
