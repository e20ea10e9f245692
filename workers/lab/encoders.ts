/**
 * The lab worker's encoders: the built-in lexical one runs on the scoring pool's threads
 * (lexical-pool.ts); a transformer encoder is a
 * proxy to the encoder worker, reached through the MessagePort the page handed over; embeddings
 * from files are read from IndexedDB and matched to the loaded dataset. Either way the rest of the
 * lab sees a SentenceEncoder.
 */
import type { Dataset } from '../../src/core/dataset/types';
import { precomputedEncoder } from '../../src/core/encoders/precomputed';
import type { SentenceEncoder } from '../../src/core/encoders/types';
import { ENCODER_REPLIES, type EncoderProgress, type EncoderProtocol } from '../encoder/protocol';
import type { TokenizedTexts } from '../../src/core/tuning/hidden-states';
import type { TextRole } from '../../src/core/encoders/types';
import { type ModelInfo, type TransformerSpec } from '../../src/core/encoders/model-spec';
import { connect, type Endpoint, type RpcClient } from '../rpc';
import { embeddingTable } from './embedding-files';
import { pooledLexicalEncoder } from './lexical-pool';
import { browserJobProblem, notebookEvaluation, type JobCounts, type RankingChoice } from '../../src/core/job-size';
import type { EncoderSpec } from './protocol';

export type EncoderRpc = RpcClient<EncoderProtocol>;

export interface OpenedEncoder {
  encoder: SentenceEncoder;
  /** Whether an evaluation over the loaded dataset streams (`ranking` given to `open`); false otherwise. */
  streaming: boolean;
  /** What the encoder worker loaded (device, dtype); null for the lexical encoder. */
  info: ModelInfo | null;
  /** Where an encoder without `info` runs, shown with its progress. */
  where?: string;
}

/** Model download bytes while a transformer loads (all files together). */
export type DownloadReport = (loaded: number, total: number) => void;

export class LabEncoders {
  private remote: EncoderRpc | null = null;

  /** `dataset`: the loaded dataset, which embeddings from files are matched to. */
  constructor(private readonly dataset: () => Dataset) {}

  /** A port to a fresh encoder worker: calls waiting on the one before end with `lost`. */
  connect(port: Endpoint, lost: string | null): void {
    this.remote?.fail(new Error(lost ?? 'The encoder worker was replaced: try again.'));
    this.remote = connect(port, ENCODER_REPLIES, 'encoder worker');
  }

  /** Token ids of texts as the transformer of `spec` reads them (its tokenizer, prefix and truncation). */
  async tokenize(spec: TransformerSpec, texts: string[], role: TextRole, signal: AbortSignal): Promise<TokenizedTexts> {
    const remote = this.remote;
    if (!remote) throw new Error('The encoder worker is not connected: reload the page.');
    return (await remote.cancellable(remote.call('tokenize', { spec, texts, role }), signal)).tokens;
  }

  /**
   * The encoder of `spec`, once the job over the loaded dataset is known to fit the browser
   * (core/job-size.ts). `ranking`: the job is an evaluation, which streams as that choice says
   * (notebookStreams: the path is known once the encoder's dimension is); without it whole rows.
   */
  async open(spec: EncoderSpec, signal: AbortSignal, onDownload: DownloadReport, ranking?: RankingChoice): Promise<OpenedEncoder> {
    const opened = await this.openEncoder(spec, signal, onDownload);
    const { queries, candidates } = this.dataset();
    const counts = { queries: queries.length, candidates: candidates.length, dim: opened.encoder.dim };
    const { job, problem }: { job: JobCounts; problem: string | null } = ranking ? notebookEvaluation(ranking, counts) : { job: counts, problem: browserJobProblem(counts) };
    if (problem) throw new Error(problem);
    return { ...opened, streaming: job.streaming === true };
  }

  private async openEncoder(spec: EncoderSpec, signal: AbortSignal, onDownload: DownloadReport): Promise<Omit<OpenedEncoder, 'streaming'>> {
    if (spec.kind === 'lexical') return { ...pooledLexicalEncoder(spec), info: null };
    if (spec.kind === 'files') {
      if (!spec.set) throw new Error('No embedding files are picked: pick a folder of them in the Encoder cell first.');
      return { encoder: precomputedEncoder(await embeddingTable(spec.set), [this.dataset()]).encoder, info: null };
    }
    const remote = this.remote;
    if (!remote) throw new Error('The encoder worker is not connected: reload the page.');
    const call = remote.call('loadModel', { spec }, (progress) => onDownload(...downloadTotals(progress)));
    const info = (await remote.cancellable(call, signal)).info;
    return { encoder: remoteEncoder(remote, spec, info, onDownload), info };
  }
}

function remoteEncoder(remote: EncoderRpc, spec: TransformerSpec, info: ModelInfo, onDownload: DownloadReport): SentenceEncoder {
  return {
    id: info.name,
    dim: info.dim,
    async encode(texts, role, { onProgress, signal } = {}) {
      const call = remote.call('encode', { spec, texts, role }, (progress) => {
        if (progress.phase === 'encode') onProgress?.(progress.done, progress.total);
        else onDownload(...downloadTotals(progress));
      });
      const { embeddings } = await remote.cancellable(call, signal);
      return embeddings;
    },
  };
}

function downloadTotals(progress: Extract<EncoderProgress['loadModel'], { phase: 'download' }>): [number, number] {
  const files = Object.values(progress.files);
  return [files.reduce((sum, f) => sum + f.loaded, 0), files.reduce((sum, f) => sum + f.total, 0)];
}

