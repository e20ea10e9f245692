/**
 * The supervised worker client (workers/supervised.ts) against a fake worker and fake clocks: a
 * worker that stops answering pings is replaced after the silence limit that applies (the idle one
 * with no call waiting, the busy one while a call waits), the waiting call ends with a message that
 * says why, calls work again on the fresh worker, an uncaught error is noticed at once, and after
 * three restarts within a minute it gives up and asks for a reload.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PING, PONG } from '../../workers/rpc';
import { SupervisedClient, WORKER_STOPPED } from '../../workers/supervised';

/** Answers pings while `alive`, and `echo` commands with `echoed` when `answering`. */
class FakeWorker {
  onmessage: ((message: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  alive = true;
  answering = true;
  terminated = false;
  postMessage(message: { type: string; id: number }): void {
    if (!this.alive) return;
    const reply = (data: unknown) => queueMicrotask(() => this.onmessage?.({ data } as MessageEvent));
    if (message.type === PING.type) reply(PONG);
    else if (this.answering) reply({ type: 'echoed', id: message.id });
  }
  terminate(): void {
    this.terminated = true;
    this.alive = false;
  }
}

interface EchoProtocol {
  command: { type: 'echo'; id: number } | { type: 'cancel'; id: number };
  event: { type: 'echoed' | 'progress' | 'error'; id: number };
  replies: { echo: 'echoed' };
  progress: { echo: never };
  notice: never;
}

function supervised(limits: { silenceLimitMs: number; busySilenceLimitMs?: number }) {
  const workers: FakeWorker[] = [];
  const start = () => {
    workers.push(new FakeWorker());
    return workers.at(-1) as unknown as Worker;
  };
  const client = new SupervisedClient<EchoProtocol>({ start, ...limits }, { echo: 'echoed' }, 'test worker');
  const restarts: string[] = [];
  client.onRestarted = (failure) => restarts.push(failure);
  return { client, workers, restarts };
}

describe('supervised workers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('an idle worker that falls silent is replaced after the idle limit; calls then work', async () => {
    const { client, workers, restarts } = supervised({ silenceLimitMs: 15_000, busySilenceLimitMs: 120_000 });
    expect(await client.call('echo', {}).reply).toMatchObject({ type: 'echoed' });
    workers[0].alive = false;
    // The ping goes out at 1 s; more than 15 s after it, at 17 s, the worker is replaced.
    await vi.advanceTimersByTimeAsync(16_000);
    expect(workers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(restarts).toEqual(['The test worker stopped (it stopped answering for 16 s): the task it was running ended. A fresh worker was started; try again.']);
    expect(await client.call('echo', {}).reply).toMatchObject({ type: 'echoed' });
    client.stop('done');
  });

  it('a busy worker gets the busy limit; its waiting call ends with why', async () => {
    const { client, workers } = supervised({ silenceLimitMs: 15_000, busySilenceLimitMs: 120_000 });
    workers[0].answering = false;
    workers[0].alive = false;
    const waiting = client.call('echo', {}).reply;
    const outcome = waiting.then(() => 'answered', (error: Error) => `${error.name}: ${error.message}`);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(workers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(62_000);
    expect(workers).toHaveLength(2);
    // Named so that the page shows the task as interrupted, not failed (src/app/state/task.ts).
    expect(await outcome).toBe(`${WORKER_STOPPED}: The test worker stopped (it stopped answering for 121 s): the task it was running ended. A fresh worker was started; try again.`);
    client.stop('done');
  });

  it('an uncaught error is noticed at once; the fourth within a minute asks for a reload', async () => {
    const { client, workers } = supervised({ silenceLimitMs: 15_000 });
    const fail = () => workers.at(-1)!.onerror?.({ message: 'Uncaught Error: boom', preventDefault: () => undefined } as ErrorEvent);
    for (let i = 0; i < 3; i++) fail();
    expect(workers).toHaveLength(4);
    expect(await client.call('echo', {}).reply).toMatchObject({ type: 'echoed' });
    fail();
    expect(workers).toHaveLength(4);
    await expect(client.call('echo', {}).reply).rejects.toThrow('The test worker stopped (it failed: Uncaught Error: boom) and kept stopping after 3 restarts. Reload the page.');
    // Restarts more than a minute apart never add up.
    const other = supervised({ silenceLimitMs: 15_000 });
    for (let i = 0; i < 5; i++) {
      other.workers.at(-1)!.onerror?.({ message: 'boom', preventDefault: () => undefined } as ErrorEvent);
      await vi.advanceTimersByTimeAsync(61_000);
    }
    expect(other.workers).toHaveLength(6);
    other.client.stop('done');
  });
});
