/**
 * A typed RPC client over anything that posts messages (a Worker, a MessagePort): one call per
 * command, a promise for its terminal event, a callback for its progress, and `cancel`. Used by the
 * page for both workers and by the lab worker to ask the encoder worker for embeddings.
 * Errors come back as Errors again (DatasetError with its issues intact).
 */
import { DatasetError, type DatasetIssue } from '../src/core/dataset/types';

export interface Endpoint {
  postMessage(message: unknown): void;
  onmessage: ((message: MessageEvent) => void) | null;
}

/** An Error flattened for postMessage; `issues` keeps a DatasetError's list intact. */
export interface WireError {
  name: string;
  message: string;
  issues?: DatasetIssue[];
}

export function toWireError(error: unknown): WireError {
  if (error instanceof DatasetError) return { name: error.name, message: error.message, issues: error.issues };
  if (error instanceof Error || error instanceof DOMException) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The receiving side's Error: a DatasetError again when there are issues, else an Error of that name. */
export function fromWireError(wire: WireError): Error {
  if (wire.issues) return new DatasetError(wire.issues);
  return Object.assign(new Error(wire.message), { name: wire.name });
}

interface BaseEvent {
  type: string;
  id: number;
}

/**
 * `replies` maps each command type to the event type that ends it; every protocol's events also
 * include `{ type: 'progress', progress }` and `{ type: 'error', error }`.
 */
export class RpcClient<
  Command extends BaseEvent,
  Event extends BaseEvent,
  Replies extends Record<string, Event['type']>,
  Progress extends { [C in keyof Replies]: unknown },
> {
  private readonly pending = new Map<number, Pending<Event>>();
  private nextId = 1;
  /** Set once the other side has died: later calls fail at once instead of waiting forever. */
  private failure: Error | null = null;

  private endpoint: Endpoint;

  constructor(
    endpoint: Endpoint,
    private readonly replies: Replies,
    private readonly peer: string,
  ) {
    this.endpoint = endpoint;
    this.listen(endpoint);
  }

  /** Called on every message from the other side, whoever it is for (a supervisor's heartbeat). */
  protected heard(): void {}

  /** Whether a call waits for its answer (a supervisor allows a busy worker longer silences). */
  protected get waiting(): boolean {
    return this.pending.size > 0;
  }

  /** A fresh other side (a restarted worker) after `fail`: calls work again. */
  protected replaceEndpoint(endpoint: Endpoint): void {
    this.endpoint = endpoint;
    this.failure = null;
    this.listen(endpoint);
  }

  private listen(endpoint: Endpoint): void {
    endpoint.onmessage = (message: MessageEvent<Event>) => {
      this.heard();
      this.receive(message.data);
    };
  }

  call<C extends keyof Replies & string>(
    type: C,
    payload: Omit<Extract<Command, { type: C }>, 'id' | 'type'>,
    onProgress?: (progress: Progress[C]) => void,
  ): { id: number; reply: Promise<Extract<Event, { type: Replies[C] }>> } {
    const id = this.nextId++;
    if (this.failure) return { id, reply: Promise.reject(this.failure) };
    const reply = new Promise<Extract<Event, { type: Replies[C] }>>((resolve, reject) => {
      this.pending.set(id, {
        reply: this.replies[type],
        onProgress: onProgress as Pending<Event>['onProgress'],
        resolve: resolve as Pending<Event>['resolve'],
        reject,
      });
    });
    this.endpoint.postMessage({ ...payload, type, id });
    return { id, reply };
  }

  /** The reply of `call`; an abort of `signal` sends the other side `cancel` for it. */
  async cancellable<T>(call: { id: number; reply: Promise<T> }, signal: AbortSignal | undefined): Promise<T> {
    const cancel = () => this.endpoint.postMessage({ type: 'cancel', id: call.id });
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await call.reply;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Posts a command that has no reply (cancel, controls). */
  send(command: Command): void {
    this.endpoint.postMessage(command);
  }

  /** The other side stopped: every waiting and later call fails with `error`. */
  fail(error: Error): void {
    this.failure = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private receive(event: Event): void {
    const pending = this.pending.get(event.id);
    if (!pending) return;
    if (event.type === 'progress') {
      pending.onProgress?.((event as unknown as { progress: unknown }).progress);
      return;
    }
    this.pending.delete(event.id);
    if (event.type === 'error') pending.reject(fromWireError((event as unknown as { error: WireError }).error));
    else if (event.type === pending.reply) pending.resolve(event);
    else pending.reject(new Error(`The ${this.peer} answered ${event.type} where ${pending.reply} was due`));
  }
}

interface Pending<Event> {
  reply: string;
  onProgress?: (progress: unknown) => void;
  resolve: (event: Event) => void;
  reject: (error: Error) => void;
}

/**
 * The serving side of the same protocols: runs each command with its own AbortController, aborts it
 * on `{ type: 'cancel', id }`, and answers a failure with `{ type: 'error', id, error }`.
 */
export function serveCommands<Command extends BaseEvent>(
  handle: (command: Exclude<Command, { type: 'cancel' }>, signal: AbortSignal) => Promise<void>,
  postError: (id: number, error: WireError) => void,
): (command: Command) => void {
  const running = new Map<number, AbortController>();
  return (command) => {
    if (command.type === 'cancel') {
      running.get(command.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(command.id, controller);
    handle(command as Exclude<Command, { type: 'cancel' }>, controller.signal)
      .catch((error: unknown) => postError(command.id, toWireError(error)))
      .finally(() => running.delete(command.id));
  };
}
