/**
 * The page's clients of the two workers: the lab worker (datasets, evaluation, training) and the
 * encoder worker (transformer models, their caches). The page gives the lab worker a MessagePort
 * to the encoder worker, so embeddings go from one worker to the other without the page.
 *
 * Both are supervised (workers/supervised.ts): a worker that fails or falls silent ends the calls
 * waiting on it with an error that says so and is replaced. A fresh lab worker gets a port to the
 * encoder worker (and `onRestarted` tells the page, which loads its dataset into it again); a fresh
 * encoder worker gets a port to the lab worker, whose calls to the old one end with the same error.
 */
import { ENCODER_REPLIES, type EncoderProtocol } from '../../workers/encoder/protocol';
import { LAB_REPLIES, type LabNotice, type LabProtocol, type TrainingControl } from '../../workers/lab/protocol';
import { SupervisedClient } from '../../workers/supervised';

export type EncoderClient = SupervisedClient<EncoderProtocol>;

/** Long enough for the longest blocking step (parsing a very large file), short enough to notice a dead worker. */
export const SILENCE_LIMIT_MS = 15_000;

const startLabWorker = () => new Worker(new URL('../../workers/lab/lab.worker.ts', import.meta.url), { type: 'module', name: 'lab' });
const startEncoderWorker = () => new Worker(new URL('../../workers/encoder/encoder.worker.ts', import.meta.url), { type: 'module', name: 'encoder' });

/**
 * Hands a lab worker (a fresh one, before its client exists) a port to the encoder worker; `lost`
 * ends the lab's calls to the encoder worker before this one.
 */
function connectEncoder(encoder: EncoderClient, lab: Worker, lost: string | null): void {
  const channel = new MessageChannel();
  encoder.notify({ type: 'connect' }, [channel.port1]);
  const notice: LabNotice = { type: 'connectEncoder', lost };
  lab.postMessage(notice, [channel.port2]);
}

export class LabClient extends SupervisedClient<LabProtocol> {
  /** The encoder worker, for the Encoder cell (model loading, cache). */
  readonly encoder: EncoderClient;
  /** Told when the encoder worker was replaced: the model it held is gone. */
  onEncoderRestarted: ((failure: string) => void) | null = null;

  constructor() {
    const encoder = new SupervisedClient<EncoderProtocol>({ start: startEncoderWorker, silenceLimitMs: SILENCE_LIMIT_MS }, ENCODER_REPLIES, 'encoder worker');
    const startLab = () => {
      const lab = startLabWorker();
      connectEncoder(encoder, lab, null);
      return lab;
    };
    super({ start: startLab, silenceLimitMs: SILENCE_LIMIT_MS }, LAB_REPLIES, 'lab worker');
    encoder.onRestarted = (failure) => {
      connectEncoder(encoder, this.worker, failure);
      this.onEncoderRestarted?.(failure);
    };
    this.encoder = encoder;
  }

  controlTraining(id: number, control: TrainingControl): void {
    this.notify({ type: 'controlTraining', id, control });
  }
}
