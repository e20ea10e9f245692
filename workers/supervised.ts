/**
 * A worker watched by whoever started it, through its RPC client: an uncaught error in it (onerror,
 * noticed at once), a message that cannot be read, or a heartbeat ping with no message back within
 * the silence limit (timers of a hidden tab run late, so silence counts from a ping) ends every
 * waiting call with an error that says so, and a fresh worker takes its place (`onRestarted` tells
 * the owner, which may have state to restore). After MAX_RESTARTS within a minute it gives up and
 * asks for a reload. The page supervises the lab and encoder workers this way, the encoder worker
 * its model runtime.
 */
import { RpcClient, type Protocol } from './rpc';

const HEARTBEAT_MS = 1000;
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/** The name of the errors that end the calls of a worker that stopped (the page shows those tasks as interrupted). */
export const WORKER_STOPPED = 'WorkerStopped';

const stopped = (message: string) => Object.assign(new Error(message), { name: WORKER_STOPPED });

export interface Supervision {
  /** Starts a fresh worker: the first one and each replacement. */
  start(): Worker;
  /** How long a worker may leave a ping unanswered while no call waits on it. */
  silenceLimitMs: number;
  /** The same while a call waits: longer than the worker's longest blocking step (silenceLimitMs when unset). */
  busySilenceLimitMs?: number;
}

/** A worker's RPC client (rpc.ts) that also watches the worker and replaces it when it stops. */
export class SupervisedClient<P extends Protocol> extends RpcClient<P> {
  /**
   * Told when the worker was replaced by a fresh one (which holds none of the old one's state),
   * with the message the waiting calls ended with.
   */
  onRestarted: ((failure: string) => void) | null = null;
  private current: Worker;
  /** When the ping still unanswered was sent; null when the worker has been heard since. */
  private pingedAt: number | null = null;
  private restarts: number[] = [];
  private heartbeat: ReturnType<typeof setInterval> | null;

  constructor(
    private readonly supervision: Supervision,
    replies: P['replies'],
    private readonly name: string,
  ) {
    const worker = supervision.start();
    super(worker, replies, name);
    this.current = worker;
    this.watch(worker);
    this.heartbeat = setInterval(() => this.checkPulse(), HEARTBEAT_MS);
  }

  /** The worker now running (a new one after each restart). */
  get worker(): Worker {
    return this.current;
  }

  /** Ends the worker for good (its owner no longer needs it): waiting calls fail with `reason`. */
  stop(reason: string): void {
    this.stopHeartbeat();
    this.end(this.current);
    this.fail(stopped(reason));
  }

  protected override heard(): void {
    this.pingedAt = null;
  }

  private watch(worker: Worker): void {
    worker.onerror = (event) => {
      event.preventDefault();
      this.restart(`it failed: ${event.message || 'it could not start'}`);
    };
    worker.onmessageerror = () => this.restart('a message from it could not be read');
  }

  private end(worker: Worker): void {
    worker.onerror = null;
    worker.onmessageerror = null;
    worker.terminate();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private checkPulse(): void {
    const now = performance.now();
    if (this.pingedAt === null) {
      this.pingedAt = now;
      this.ping();
    } else if (now - this.pingedAt > (this.waiting ? (this.supervision.busySilenceLimitMs ?? this.supervision.silenceLimitMs) : this.supervision.silenceLimitMs)) {
      this.restart(`it stopped answering for ${Math.round((now - this.pingedAt) / 1000)} s`);
    }
  }

  private restart(reason: string): void {
    this.end(this.current);
    const now = performance.now();
    this.restarts = [...this.restarts.filter((at) => now - at < RESTART_WINDOW_MS), now];
    if (this.restarts.length > MAX_RESTARTS) {
      this.stopHeartbeat();
      this.fail(stopped(`The ${this.name} stopped (${reason}) and kept stopping after ${MAX_RESTARTS} restarts. Reload the page.`));
      return;
    }
    const failure = `The ${this.name} stopped (${reason}): the task it was running ended. A fresh worker was started; try again.`;
    this.fail(stopped(failure));
    this.current = this.supervision.start();
    this.replaceEndpoint(this.current);
    this.watch(this.current);
    this.pingedAt = null;
    this.onRestarted?.(failure);
  }
}
