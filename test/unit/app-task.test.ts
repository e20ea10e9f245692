/** The notebook's one task state machine (src/app/state/task.ts): which answers count, and how a task ends. */
import { describe, expect, it } from 'vitest';
import { ended, finished, IDLE, isCurrent, progressed, started, taskError, type Task } from '../../src/app/state/task';
import { WORKER_STOPPED } from '../../workers/supervised';

type Load = Task<{ what: string }, number, string>;

const running = (id: number): Load => started(id, { what: 'dataset' }, 0);

describe('task state machine', () => {
  it('runs with the job it was started for, and takes progress for its own id only', () => {
    const task = running(7);
    expect(isCurrent(task, 7)).toBe(true);
    expect(isCurrent(task, 6)).toBe(false);
    expect(progressed(task, 7, (done) => done + 5)).toEqual({ status: 'running', id: 7, job: { what: 'dataset' }, progress: 5 });
    // A stale answer gives back the very task, so a reducer can tell that nothing changed.
    expect(progressed(task, 6, (done) => done + 5)).toBe(task);
  });

  it('finishes with its result, keeping the job; a stale or late answer changes nothing', () => {
    const task = running(2);
    expect(finished(task, 2, 'loaded')).toEqual({ status: 'done', job: { what: 'dataset' }, result: 'loaded' });
    expect(finished(task, 1, 'an earlier load')).toBe(task);
    const done = finished(task, 2, 'loaded');
    expect(finished(done, 2, 'again')).toBe(done);
    expect(progressed(done, 2, () => 99)).toBe(done);
    expect(finished(IDLE as Load, 2, 'loaded')).toBe(IDLE);
  });

  it('ends as cancelled on an AbortError, interrupted when its worker stopped, failed otherwise', () => {
    const task = running(3);
    expect(ended(task, 3, { name: 'AbortError', message: 'cancelled' })).toEqual({ status: 'cancelled', job: { what: 'dataset' } });
    const stopped = { name: WORKER_STOPPED, message: 'The lab worker stopped' };
    expect(ended(task, 3, stopped)).toEqual({ status: 'interrupted', job: { what: 'dataset' }, error: stopped });
    const bad = { name: 'DatasetError', message: 'de.json: not JSON' };
    expect(ended(task, 3, bad)).toEqual({ status: 'failed', job: { what: 'dataset' }, error: bad });
    expect(ended(task, 4, bad)).toBe(task);
  });

  it('ignores the reply that a cancelled task still sends', () => {
    const cancelled = ended(running(5), 5, { name: 'AbortError', message: '' });
    expect(finished(cancelled, 5, 'late')).toBe(cancelled);
    expect(ended(cancelled, 5, { name: 'Error', message: 'late' })).toBe(cancelled);
  });

  it('shows the error of a failed or interrupted task, and none for a cancelled one', () => {
    const error = { name: 'Error', message: 'out of memory' };
    expect(taskError(ended(running(1), 1, error))).toBe(error);
    expect(taskError(ended(running(1), 1, { ...error, name: WORKER_STOPPED }))).toEqual({ ...error, name: WORKER_STOPPED });
    expect(taskError(ended(running(1), 1, { name: 'AbortError', message: '' }))).toBeNull();
    expect(taskError(running(1))).toBeNull();
    expect(taskError(undefined)).toBeNull();
  });
});
