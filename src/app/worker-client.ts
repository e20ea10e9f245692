/**
 * The typed RPC client of the lab worker: one call per command, a promise for its terminal event,
 * a callback for its progress, and `cancel`. Errors come back as Errors again (DatasetError with
 * its issues intact).
 */
import {
  LAB_REPLIES,
  fromWireError,
  type LabCommand,
  type LabEvent,
  type LabProgress,
  type LabReplies,
  type TrainingControl,
} from '../../workers/lab/protocol';

type CommandName = keyof LabReplies;
type PayloadOf<C extends CommandName> = Omit<Extract<LabCommand, { type: C }>, 'id' | 'type'>;
type ReplyOf<C extends CommandName> = Extract<LabEvent, { type: LabReplies[C] }>;
type ProgressOf<C extends CommandName> = LabProgress[C];

interface Pending {
  reply: LabEvent['type'];
  onProgress?: (progress: LabProgress[CommandName]) => void;
  resolve: (event: LabEvent) => void;
  reject: (error: Error) => void;
}

export interface LabCall<C extends CommandName> {
  id: number;
  reply: Promise<ReplyOf<C>>;
}

export class LabClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the worker has died: later calls fail at once instead of waiting forever. */
  private failure: Error | null = null;

  constructor() {
    this.worker = new Worker(new URL('../../workers/lab/lab.worker.ts', import.meta.url), { type: 'module', name: 'lab' });
    this.worker.onmessage = (message: MessageEvent<LabEvent>) => this.receive(message.data);
    this.worker.onerror = (event) => {
      this.failure = new Error(`The lab worker stopped: ${event.message || 'it failed to start'}. Reload the page.`);
      for (const pending of this.pending.values()) pending.reject(this.failure);
      this.pending.clear();
    };
  }

  call<C extends CommandName>(type: C, payload: PayloadOf<C>, onProgress?: (progress: ProgressOf<C>) => void): LabCall<C> {
    const id = this.nextId++;
    if (this.failure) return { id, reply: Promise.reject(this.failure) };
    const reply = new Promise<ReplyOf<C>>((resolve, reject) => {
      this.pending.set(id, {
        reply: LAB_REPLIES[type],
        onProgress: onProgress as Pending['onProgress'],
        resolve: resolve as Pending['resolve'],
        reject,
      });
    });
    const command = { ...payload, type, id } as Extract<LabCommand, { type: C }>;
    this.worker.postMessage(command);
    return { id, reply };
  }

  cancel(id: number): void {
    this.worker.postMessage({ type: 'cancel', id } satisfies LabCommand);
  }

  controlTraining(id: number, control: TrainingControl): void {
    this.worker.postMessage({ type: 'controlTraining', id, control } satisfies LabCommand);
  }

  private receive(event: LabEvent): void {
    const pending = this.pending.get(event.id);
    if (!pending) return;
    if (event.type === 'progress') {
      pending.onProgress?.(event.progress);
      return;
    }
    this.pending.delete(event.id);
    if (event.type === 'error') pending.reject(fromWireError(event.error));
    else if (event.type === pending.reply) pending.resolve(event);
    else pending.reject(new Error(`The lab worker answered ${event.type} where ${pending.reply} was due`));
  }
}
