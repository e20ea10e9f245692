/**
 * The one module every worker conversation is built on: a protocol file declares its messages
 * (`Protocol`), the worker's entry calls `serve`, its caller calls `connect`; errors cross as
 * WireErrors and come back as Errors again (a DatasetError with its issues intact). Protocols
 * import this module, never each other.
 */
import { DatasetError, type DatasetIssue } from '../src/core/dataset/types';

export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
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
 * One worker's conversation, as its protocol file declares it: the commands (each with an `id`;
 * `cancel` among them), the events (any number of `{ type: 'progress', id, progress }`, then one
 * terminal event or `{ type: 'error', id, error }`), which event ends each command (`replies`),
 * the progress each command reports, and the notices: messages with no reply (never, if none).
 */
export interface Protocol {
  command: BaseEvent;
  event: BaseEvent;
  replies: Record<string, string>;
  /** By command type (an interface with a key per command). */
  progress: object;
  notice: { type: string };
}

type Runnable<P extends Protocol> = Exclude<P['command'], { type: 'cancel' }>;
type Reply<P extends Protocol, C extends keyof P['replies']> = Extract<P['event'], { type: P['replies'][C] }>;
type ProgressOf<P extends Protocol, C> = C extends keyof P['progress'] ? P['progress'][C] : never;

/** The calling side: one call per command, a promise for its terminal event, a callback for its progress, `cancel`. */
export class RpcClient<P extends Protocol> {
  private readonly pending = new Map<number, Pending<P['event']>>();
  private nextId = 1;
  /** Set once the other side has died: later calls fail at once instead of waiting forever. */
  private failure: Error | null = null;

  private endpoint: Endpoint;

  constructor(
    endpoint: Endpoint,
    private readonly replies: P['replies'],
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
    endpoint.onmessage = (message: MessageEvent<P['event']>) => {
      this.heard();
      this.receive(message.data);
    };
  }

  call<C extends keyof P['replies'] & string>(
    type: C,
    payload: Omit<Extract<P['command'], { type: C }>, 'id' | 'type'>,
    onProgress?: (progress: ProgressOf<P, C>) => void,
  ): { id: number; reply: Promise<Reply<P, C>> } {
    const id = this.nextId++;
    if (this.failure) return { id, reply: Promise.reject(this.failure) };
    const reply = new Promise<Reply<P, C>>((resolve, reject) => {
      this.pending.set(id, {
        reply: this.replies[type],
        onProgress: onProgress as Pending<P['event']>['onProgress'],
        resolve: resolve as Pending<P['event']>['resolve'],
        reject,
      });
    });
    this.endpoint.postMessage({ ...payload, type, id });
    return { id, reply };
  }

  /** The reply of `call`; an abort of `signal` sends the other side `cancel` for it. */
  async cancellable<T>(call: { id: number; reply: Promise<T> }, signal: AbortSignal | undefined): Promise<T> {
    const cancel = () => this.cancel(call.id);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await call.reply;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Asks the other side to abort the call `id` (its reply is then an error, or its result if it was done). */
  cancel(id: number): void {
    this.endpoint.postMessage({ type: 'cancel', id });
  }

  /** Posts a message that has no reply (a control, a port handed over in `transfer`). */
  notify(notice: P['notice'], transfer: Transferable[] = []): void {
    this.endpoint.postMessage(notice, transfer);
  }

  /** The supervisor's heartbeat: `serve` answers it with PONG, which `heard` notices. */
  protected ping(): void {
    this.endpoint.postMessage(PING);
  }

  /** The other side stopped: every waiting and later call fails with `error`. */
  fail(error: Error): void {
    this.failure = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private receive(event: P['event']): void {
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

/** What the serving side can post on (a worker's global scope, a MessagePort). */
export interface ServeEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((message: MessageEvent) => void) | null;
}

/**
 * What a worker serves. `run` answers each command with progress events and one terminal event,
 * under its own AbortController (aborted on `{ type: 'cancel', id }`); a throw becomes
 * `{ type: 'error', id, error }`. `notice` takes messages that have no reply and no id of their
 * own (training controls, a port handed over).
 */
export interface Service<P extends Protocol> {
  run(command: Runnable<P>, signal: AbortSignal): Promise<void>;
  notice?(message: P['notice'], ports: readonly MessagePort[]): void;
}

/** The heartbeat a supervisor sends (src/app/worker-client.ts); `serve` answers it with a pong. */
export const PING = { type: 'ping' } as const;
export const PONG = { type: 'pong', id: 0 } as const;

/**
 * Serves `endpoint`: `start` gets the function that posts this side's events (with the buffers
 * `transfer` names moved, not copied) and returns the service. Every message that is not a notice,
 * a ping or a cancel is a command.
 */
export function serve<P extends Protocol>(
  endpoint: ServeEndpoint,
  start: (post: (event: P['event']) => void) => Service<P>,
  options: { notices?: readonly P['notice']['type'][]; transfer?: (event: P['event']) => Transferable[] } = {},
): void {
  const post = (event: P['event']) => endpoint.postMessage(event, options.transfer?.(event) ?? []);
  const service = start(post);
  const notices = new Set<string>(options.notices ?? []);
  const running = new Map<number, AbortController>();
  endpoint.onmessage = ({ data, ports }: MessageEvent<P['command'] | P['notice'] | typeof PING>) => {
    if (data.type === PING.type) endpoint.postMessage(PONG, []);
    else if (notices.has(data.type)) service.notice?.(data as P['notice'], ports);
    else if (data.type === 'cancel') running.get((data as P['command']).id)?.abort();
    else {
      const command = data as Runnable<P>;
      const controller = new AbortController();
      running.set(command.id, controller);
      service
        .run(command, controller.signal)
        .catch((error: unknown) => post({ type: 'error', id: command.id, error: toWireError(error) } as P['event']))
        .finally(() => running.delete(command.id));
    }
  };
}

/** The calling side of protocol P over `endpoint` (a Worker, a MessagePort), named `peer` in its errors. */
export function connect<P extends Protocol>(endpoint: Endpoint, replies: P['replies'], peer: string): RpcClient<P> {
  return new RpcClient<P>(endpoint, replies, peer);
}
