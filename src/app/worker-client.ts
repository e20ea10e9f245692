/**
 * The page's clients of the two workers: the lab worker (datasets, evaluation, training) and the
 * encoder worker (transformer models, their caches). The page gives the lab worker a MessagePort
 * to the encoder worker, so embeddings go from one worker to the other without the page.
 */
import { ENCODER_REPLIES, type EncoderCommand, type EncoderEvent, type EncoderProgress, type EncoderReplies } from '../../workers/encoder/protocol';
import { LAB_REPLIES, type LabCommand, type LabEvent, type LabProgress, type LabReplies, type TrainingControl } from '../../workers/lab/protocol';
import { RpcClient } from '../../workers/rpc';

export type EncoderClient = RpcClient<EncoderCommand, EncoderEvent, EncoderReplies, EncoderProgress> & { cancel(id: number): void };

export class LabClient extends RpcClient<LabCommand, LabEvent, LabReplies, LabProgress> {
  /** The encoder worker, for the Encoder cell (model loading, cache). */
  readonly encoder: EncoderClient;

  constructor() {
    const lab = new Worker(new URL('../../workers/lab/lab.worker.ts', import.meta.url), { type: 'module', name: 'lab' });
    super(lab, LAB_REPLIES, 'lab worker');
    const encoderWorker = new Worker(new URL('../../workers/encoder/encoder.worker.ts', import.meta.url), { type: 'module', name: 'encoder' });
    const encoder = new RpcClient<EncoderCommand, EncoderEvent, EncoderReplies, EncoderProgress>(encoderWorker, ENCODER_REPLIES, 'encoder worker');
    this.encoder = Object.assign(encoder, { cancel: (id: number) => encoder.send({ type: 'cancel', id }) });

    const channel = new MessageChannel();
    encoderWorker.postMessage({ type: 'connect' }, [channel.port1]);
    lab.postMessage({ type: 'connectEncoder' }, [channel.port2]);

    lab.onerror = (event) => this.fail(new Error(`The lab worker stopped: ${event.message || 'it failed to start'}. Reload the page.`));
    encoderWorker.onerror = (event) =>
      encoder.fail(new Error(`The encoder worker stopped: ${event.message || 'it failed to start'}. Reload the page.`));
  }

  cancel(id: number): void {
    this.send({ type: 'cancel', id });
  }

  controlTraining(id: number, control: TrainingControl): void {
    this.send({ type: 'controlTraining', id, control });
  }
}
