/**
 * The one state machine of every long job the notebook starts (loading a dataset or a model,
 * evaluating, training, previewing a mix, paired statistics, a sweep):
 *
 *   idle ─start→ running ─progress→ running ─finish→ done
 *                        └─end(error)→ failed | cancelled (AbortError) | interrupted (its worker stopped)
 *
 * Each start gets a new id, and every answer names the id it answers: an answer for any task but the
 * running one (a late reply after Cancel, a load superseded by the next) changes nothing. That check
 * lives here, in `isCurrent`, and nowhere else.
 */
import type { WireError } from '../../../workers/rpc';
import { WORKER_STOPPED } from '../../../workers/supervised';

/** `Job`: what was asked for, kept through the task's end; `Progress`: what the running task reports; `Result`: what it gives. */
export type Task<Job = null, Progress = null, Result = null> =
  | { status: 'idle' }
  | { status: 'running'; id: number; job: Job; progress: Progress }
  | { status: 'done'; job: Job; result: Result }
  | { status: 'failed'; job: Job; error: WireError }
  | { status: 'cancelled'; job: Job }
  | { status: 'interrupted'; job: Job; error: WireError };

export type RunningTask<Job = null, Progress = null> = { status: 'running'; id: number; job: Job; progress: Progress };

export const IDLE = { status: 'idle' } as const;

export function started<Job, Progress>(id: number, job: Job, progress: Progress): RunningTask<Job, Progress> {
  return { status: 'running', id, job, progress };
}

/** Is `id` the task now running? Answers for any other task are stale. */
export function isCurrent<Job, Progress, Result>(task: Task<Job, Progress, Result> | undefined, id: number): task is RunningTask<Job, Progress> {
  return task?.status === 'running' && task.id === id;
}

/** The running task with its progress updated; the same task when `id` is not the running one. */
export function progressed<Job, Progress, Result>(task: Task<Job, Progress, Result>, id: number, update: (progress: Progress) => Progress): Task<Job, Progress, Result> {
  return isCurrent(task, id) ? { ...task, progress: update(task.progress) } : task;
}

export function finished<Job, Progress, Result>(task: Task<Job, Progress, Result>, id: number, result: Result): Task<Job, Progress, Result> {
  return isCurrent(task, id) ? { status: 'done', job: task.job, result } : task;
}

/** The task ended by an error: cancelled when it was aborted, interrupted when its worker stopped, else failed. */
export function ended<Job, Progress, Result>(task: Task<Job, Progress, Result>, id: number, error: WireError): Task<Job, Progress, Result> {
  if (!isCurrent(task, id)) return task;
  const { job } = task;
  if (error.name === 'AbortError') return { status: 'cancelled', job };
  if (error.name === WORKER_STOPPED) return { status: 'interrupted', job, error };
  return { status: 'failed', job, error };
}

/** Why the task did not finish, to show; null unless it failed or was interrupted. */
export function taskError(task: Task<unknown, unknown, unknown> | undefined): WireError | null {
  return task?.status === 'failed' || task?.status === 'interrupted' ? task.error : null;
}

/** The task's job while it runs; null otherwise. */
export function runningJob<Job>(task: Task<Job, unknown, unknown>): Job | null {
  return task.status === 'running' ? task.job : null;
}
