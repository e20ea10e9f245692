/**
 * The lab worker's embedding map: a seeded sample of the loaded dataset's queries and candidates
 * (for a trained run, of its split's evaluation side: texts the head never trained on), their
 * frozen embeddings (cached with the evaluation's), and for each view (the encoder; the encoder with
 * the trained head) the kNN graph through the scoring backend, the own-language share and a UMAP layout.
 */
import type { Dataset } from '../../src/core/dataset/types';
import { RateMeter } from '../../src/core/progress';
import { umapLayout } from '../../src/core/projection/layout';
import { MAP_NEIGHBOURS } from '../../src/core/projection/map-settings';
import { cosineNeighbours, ownLanguageShare } from '../../src/core/projection/neighbours';
import { chooseMapSample, gatherRows } from '../../src/core/projection/sample';
import { applyHead, parseHead } from '../../src/core/training';
import type { EmbeddingMap, MapProgress, MapRequest, MapView, TrainingProgress } from './protocol';
import { scoringBackend } from './scoring-backend';
import type { TrainingLab } from './training';

/** Longest text a point's hover shows. */
const HOVER_CHARACTERS = 160;

export async function projectMap(
  dataset: Dataset,
  request: MapRequest,
  training: TrainingLab,
  signal: AbortSignal,
  report: (progress: MapProgress) => void,
): Promise<EmbeddingMap> {
  const meter = new RateMeter();
  const paced = (phase: MapProgress['phase'], view: MapView['kind'] | null, done: number, total: number) =>
    report({ phase, view, done, total, pace: meter.update(`${phase} ${view}`, done, total, performance.now()) });
  const encodingProgress = (progress: TrainingProgress) => {
    if (progress.type === 'encode' || progress.type === 'download-model') paced(progress.type, null, progress.done, progress.total);
  };
  const encoding = await training.encodingOf(dataset, request.encoder, request.candidateText, signal, encodingProgress);
  const { dim } = encoding.embeddings;

  // A trained run's map shows its split's evaluation side; part rows map back to the dataset's rows.
  const part = request.trained ? training.splitOf(dataset, request.trained.split).evaluation : null;
  const source = part?.dataset ?? dataset;
  const sample = chooseMapSample(source, request.size, request.seed).map((point) => ({
    ...point,
    row: part ? (point.kind === 'query' ? part.queryRows : part.candidateRows)[point.row] : point.row,
  }));
  const frozen = gatherRows(sample, encoding.embeddings.queries, encoding.embeddings.candidates, dim);
  const scoring = await scoringBackend(request.scoring);
  const languages = sample.map((point) => point.language);

  const views: MapView[] = [];
  const viewed: { kind: MapView['kind']; vectors: () => Promise<Float32Array> }[] = [{ kind: 'encoder', vectors: async () => frozen }];
  const { trained } = request;
  if (trained) {
    viewed.push({
      kind: 'head',
      vectors: () => applyHead(parseHead(trained.head, { dim, encoder: encoding.encoderId }), frozen, sample.length, { matmul: scoring.matmul }),
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
