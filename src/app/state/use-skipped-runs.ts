/** The stored runs that could not be read (persistence.ts): kept in IndexedDB until the user removes them or downloads them as they are. */
import { useState } from 'react';
import { downloadText } from '../download';
import { deleteStoredRun, type SkippedRun } from './run-store';

export interface SkippedRuns {
  skipped: SkippedRun[];
  /** Why removing them failed; null when it did not. */
  removeError: string | null;
  remove(): void;
  download(): void;
}

export function useSkippedRuns(initial: SkippedRun[]): SkippedRuns {
  const [skipped, setSkipped] = useState(initial);
  const [removeError, setRemoveError] = useState<string | null>(null);
  return {
    skipped,
    removeError,
    remove() {
      Promise.all(skipped.map((entry) => deleteStoredRun(entry.key))).then(
        () => setSkipped([]),
        (error: unknown) => setRemoveError(error instanceof Error ? error.message : String(error)),
      );
    },
    download() {
      downloadText('xling-skipped-runs.json', JSON.stringify(skipped, null, 2));
    },
  };
}
