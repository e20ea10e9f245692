/**
 * The page's clients of the two workers: the lab worker (datasets, evaluation, training) and the
 * encoder worker (transformer models, their caches). The page gives the lab worker a MessagePort
 * to the encoder worker, so embeddings go from one worker to the other without the page.
 *
 * The lab worker is supervised: an uncaught error in it, or a heartbeat ping with no message from
 * it for SILENCE_LIMIT_MS after (timers of a hidden tab run late, so silence counts from a ping), ends every waiting call with an error that says so, and a fresh
 * worker takes its place (`onRestarted` tells the page, which loads its dataset into it again).
 * After MAX_RESTARTS in a row within a minute it gives up and asks for a reload.
 */
import { ENCODER_REPLIES, type EncoderProtocol } from '../../workers/encoder/protocol';
import { LAB_REPLIES, type LabProtocol, type TrainingControl } from '../../workers/lab/protocol';
import { connect, RpcClient } from '../../workers/rpc';
import { WORKER_STOPPED } from './state/task';

export type EncoderClient = RpcClient<EncoderProtocol>;

const HEARTBEAT_MS = 1000;
/** Long enough for the longest blocking step (parsing a very large file), short enough to notice a dead worker. */
export const SILENCE_LIMIT_MS = 15_000;
const MAX_RESTARTS = 3;

function startLabWorker(): Worker {
  return new Worker(new URL('../../workers/lab/lab.worker.ts', import.meta.url), { type: 'module', name: 'lab' });
}

export class LabClient extends RpcClient<LabProtocol> {
  /** The encoder worker, for the Encoder cell (model loading, cache). */
  readonly encoder: EncoderClient;
  /** Told, with the reason, when the lab worker was replaced by a fresh one (which holds no dataset). */
  onRestarted: ((reason: string) => void) | null = null;
  private lab: Worker;
  private readonly encoderWorker: Worker;
  /** When the ping still unanswered was sent; null when the worker has been heard since. */
  private pingedAt: number | null = null;
  private restarts: number[] = [];
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor() {
    const lab = startLabWorker();
    super(lab, LAB_REPLIES, 'lab worker');
    this.lab = lab;
    this.encoderWorker = new Worker(new URL('../../workers/encoder/encoder.worker.ts', import.meta.url), { type: 'module', name: 'encoder' });
    const encoder = connect<EncoderProtocol>(this.encoderWorker, ENCODER_REPLIES, 'encoder worker');
    this.encoder = encoder;
    this.encoderWorker.onerror = (event) =>
      encoder.fail(new Error(`The encoder worker stopped: ${event.message || 'it failed to start'}. Reload the page.`));
    this.supervise(lab);
    this.heartbeat = setInterval(() => this.checkPulse(), HEARTBEAT_MS);
  }

  controlTraining(id: number, control: TrainingControl): void {
    this.notify({ type: 'controlTraining', id, control });
  }

  protected heard(): void {
    this.pingedAt = null;
  }

  private supervise(lab: Worker): void {
    const channel = new MessageChannel();
    this.encoder.notify({ type: 'connect' }, [channel.port1]);
    this.notify({ type: 'connectEncoder' }, [channel.port2]);
    lab.onerror = (event) => {
      event.preventDefault();
      this.restart(`it failed: ${event.message || 'it could not start'}`);
    };
    lab.onmessageerror = () => this.restart('a message from it could not be read');
  }

  private checkPulse(): void {
    const now = performance.now();
    if (this.pingedAt === null) {
      this.pingedAt = now;
      this.ping();
    } else if (now - this.pingedAt > SILENCE_LIMIT_MS) {
      this.restart(`it stopped answering for ${Math.round((now - this.pingedAt) / 1000)} s`);
    }
  }

  private restart(reason: string): void {
    this.lab.onerror = null;
    this.lab.onmessageerror = null;
    this.lab.terminate();
    const now = performance.now();
    this.restarts = [...this.restarts.filter((at) => now - at < 60_000), now];
    if (this.restarts.length > MAX_RESTARTS) {
      clearInterval(this.heartbeat);
      this.fail(Object.assign(new Error(`The lab worker stopped (${reason}) and kept stopping after ${MAX_RESTARTS} restarts. Reload the page.`), { name: WORKER_STOPPED }));
      return;
    }
    this.fail(Object.assign(new Error(`The lab worker stopped (${reason}): the task it was running ended. A fresh worker was started; try again.`), { name: WORKER_STOPPED }));
    this.lab = startLabWorker();
    this.replaceEndpoint(this.lab);
    this.supervise(this.lab);
    this.pingedAt = null;
    this.onRestarted?.(reason);
  }
}
