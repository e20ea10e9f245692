/**
 * The lab worker's embedding map: a seeded sample of the loaded dataset's queries and candidates
 * (for a trained run, of its split's evaluation side: texts the head never trained on), their
 * frozen embeddings (the last evaluation's, kept in the worker, or the sample alone encoded), and for
 * each view (the encoder; the encoder with the trained head) the kNN graph through the scoring
 * backend, the own-language share and a UMAP layout.
 */
import { candidateTexts } from '../../src/core/dataset/texts';
import type { Dataset } from '../../src/core/dataset/types';
import { RateMeter } from '../../src/core/progress';
import { umapLayout } from '../../src/core/projection/layout';
import { MAP_NEIGHBOURS } from '../../src/core/projection/map-settings';
import { cosineNeighbours, ownLanguageShare } from '../../src/core/projection/neighbours';
import { chooseMapSample, gatherRows, type MapRow } from '../../src/core/projection/sample';
import { applyHead, parseHead } from '../../src/core/training';
import type { LabEncoders } from './encoders';
import type { EmbeddingMap, MapProgress, MapRequest, MapView } from './protocol';
import { scoringBackend } from './scoring-backend';
import type { TrainingLab } from './training';

/** Longest text a point's hover shows. */
const HOVER_CHARACTERS = 160;

type Paced = (phase: MapProgress['phase'], view: MapView['kind'] | null, done: number, total: number) => void;

export async function projectMap(
  dataset: Dataset,
  request: MapRequest,
  training: TrainingLab,
  encoders: LabEncoders,
  signal: AbortSignal,
  report: (progress: MapProgress) => void,
): Promise<EmbeddingMap> {
  const meter = new RateMeter();
  const paced: Paced = (phase, view, done, total) =>
    report({ phase, view, done, total, pace: meter.update(`${phase} ${view}`, done, total, performance.now()) });
  // A trained run's map shows its split's evaluation side; part rows map back to the dataset's rows.
  const part = request.trained ? training.splitOf(dataset, request.trained.split).evaluation : null;
  const source = part?.dataset ?? dataset;
  const sample = chooseMapSample(source, request.size, request.seed).map((point) => ({
    ...point,
    row: part ? (point.kind === 'query' ? part.queryRows : part.candidateRows)[point.row] : point.row,
  }));
  const { vectors: frozen, dim, encoderId } = await sampleEmbeddings(dataset, sample, request, training, encoders, signal, paced);
  const scoring = await scoringBackend(request.scoring);
  const languages = sample.map((point) => point.language);

  const views: MapView[] = [];
  const viewed: { kind: MapView['kind']; vectors: () => Promise<Float32Array> }[] = [{ kind: 'encoder', vectors: async () => frozen }];
  const { trained } = request;
  if (trained) {
    viewed.push({
      kind: 'head',
      vectors: () => applyHead(parseHead(trained.head, { dim, encoder: encoderId }), frozen, sample.length, { matmul: scoring.matmul }),
    });
  }
  for (const { kind, vectors } of viewed) {
    const started = performance.now();
    const neighbours = await cosineNeighbours(await vectors(), sample.length, dim, MAP_NEIGHBOURS, {
      matmul: scoring.matmul,
      signal,
      onProgress: (done, total) => paced('neighbours', kind, done, total),
    });
    const layout = await umapLayout(neighbours, { seed: request.seed, signal, onProgress: (done, total) => paced('layout', kind, done, total) });
    views.push({ kind, layout, share: ownLanguageShare(neighbours, languages), seconds: (performance.now() - started) / 1000 });
  }

  const textOf = ({ kind, row }: { kind: 'query' | 'candidate'; row: number }) => {
    const text = (kind === 'query' ? dataset.queries : dataset.candidates)[row].text;
    return text.length > HOVER_CHARACTERS ? `${text.slice(0, HOVER_CHARACTERS - 1)}…` : text;
  };
  return {
    languages: source.languages.filter((language) => languages.includes(language)),
    points: sample.map((point) => ({ kind: point.kind, language: point.language, text: textOf(point) })),
    neighbours: MAP_NEIGHBOURS,
    views,
    scoringBackend: scoring.name(),
  };
}

/**
 * The sampled rows' frozen embeddings: from the embeddings kept since the last evaluation or
 * training when they match, else the sample alone is encoded (a few seconds where the whole dataset
 * would take much longer); embeddings from files are looked up whole, as they only can be.
 */
async function sampleEmbeddings(
  dataset: Dataset,
  sample: MapRow[],
  request: MapRequest,
  training: TrainingLab,
  encoders: LabEncoders,
  signal: AbortSignal,
  paced: Paced,
): Promise<{ vectors: Float32Array; dim: number; encoderId: string }> {
  const kept = training.keptEncoding(dataset, request.encoder, request.candidateText);
  if (kept || request.encoder.kind === 'files') {
    const encoding = kept ?? (await training.encodingOf(dataset, request.encoder, request.candidateText, signal, (progress) => {
      if (progress.type === 'encode' || progress.type === 'download-model') paced(progress.type, null, progress.done, progress.total);
    }));
    const { queries, candidates, dim } = encoding.embeddings;
    return { vectors: gatherRows(sample, queries, candidates, dim), dim, encoderId: encoding.encoderId };
  }
  const { encoder } = await encoders.open(request.encoder, signal, (done, total) => paced('download-model', null, done, total));
  const texts = candidateTexts(dataset, request.candidateText);
  const queryPoints = sample.flatMap((point, i) => (point.kind === 'query' ? [i] : []));
  const candidatePoints = sample.flatMap((point, i) => (point.kind === 'candidate' ? [i] : []));
  const queries = await encoder.encode(queryPoints.map((i) => dataset.queries[sample[i].row].text), 'query', {
    signal,
    onProgress: (done) => paced('encode', null, done, sample.length),
  });
  const candidates = await encoder.encode(candidatePoints.map((i) => texts[sample[i].row]), 'passage', {
    signal,
    onProgress: (done) => paced('encode', null, queryPoints.length + done, sample.length),
  });
  const { dim } = encoder;
  const vectors = new Float32Array(sample.length * dim);
  queryPoints.forEach((i, r) => vectors.set(queries.subarray(r * dim, (r + 1) * dim), i * dim));
  candidatePoints.forEach((i, r) => vectors.set(candidates.subarray(r * dim, (r + 1) * dim), i * dim));
  return { vectors, dim, encoderId: encoder.id };
}
