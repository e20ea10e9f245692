/**
 * A task still running when the page is left (reload, tab closed) cannot go on: its worker goes
 * with the page. The task is noted in this tab's sessionStorage while it runs, so that the next
 * load of the page in the tab can say it was interrupted instead of dropping it without a word.
 */
const KEY = 'xling-lab-running';

export interface RunningTask {
  /** In words: "an evaluation", "training linear head, Hybrid". */
  what: string;
  startedAt: number;
}

export function noteRunningTasks(tasks: RunningTask[]): void {
  try {
    if (tasks.length === 0) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, JSON.stringify(tasks));
  } catch {
    // No sessionStorage (disabled storage): an interruption then goes unmentioned.
  }
}

/** The tasks a previous load of this tab left running, in words; empty when none. Read once. */
export function takeInterruptedTasks(): string[] {
  let saved: unknown;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
    sessionStorage.removeItem(KEY);
  } catch {
    return [];
  }
  if (!Array.isArray(saved)) return [];
  return saved.flatMap((task: unknown) => {
    if (typeof task !== 'object' || task === null || !('what' in task) || !('startedAt' in task)) return [];
    const { what, startedAt } = task;
    if (typeof what !== 'string' || typeof startedAt !== 'number') return [];
    return [`${what} started at ${new Date(startedAt).toLocaleTimeString()} was still running when the page was left: it was interrupted and nothing of it was kept; run it again`];
  });
}
