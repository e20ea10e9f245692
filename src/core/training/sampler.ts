/**
 * The batch sampler of design.md: seeded, reproducible batches of (question in language a, its answer
 * sentence in language b) pairs, each batch of one type drawn by the mix weights.
 *
 * - `mono`: one language for the whole batch, drawn by the language weights; every pair a = b = it.
 * - `mixed`: per pair, a language drawn by the language weights; a = b.
 * - `cross`: per pair, a drawn by the language weights, b drawn by the weights among the others; a != b.
 * - No question id twice in one batch (its translations would be false in-batch negatives).
 * - Languages left out of training (zero-shot) appear neither as a nor as b.
 * - Batches are drawn with replacement across batches (each batch independently), so a batch's
 *   content depends only on the seed and its position in the stream.
 * - Language weights: `uniform` (the paper), or `size`: proportional to the language's number of
 *   training examples (questions with a query and an answer sentence in it).
 *
 * A batch can come out smaller than asked when the training side has fewer distinct ids for its
 * language(s) than the batch size (tiny subsets); it is never padded with repeats.
 */
import { seededRandom } from '../linalg/random';
import { BATCH_TYPES, normaliseMix, type BatchMix, type BatchType, type LanguageWeighting } from './mix';
import type { DatasetPart } from './split';

/** The training side as the sampler sees it: per question id and language, a query row and an answer row. */
export interface TrainingExamples {
  languages: string[];
  /** Question ids (index = example id used in batches). */
  ids: string[];
  /** `[i * languages.length + l]`: row of id i's question in language l in the source dataset, -1 if absent. */
  queryRow: Int32Array;
  /** `[i * languages.length + l]`: row of id i's answer sentence in language l in the source dataset, -1 if absent. */
  answerRow: Int32Array;
}

export interface SamplerSettings {
  mix: BatchMix;
  languageWeighting: LanguageWeighting;
  /** Languages left out of training (zero-shot). */
  excludeLanguages?: string[];
  /** Train on these languages only (the En-En preset); absent: all languages not excluded. */
  trainLanguages?: string[];
  batchSize: number;
  seed: number;
}

/** One batch, as parallel arrays (length `size`): pair k is (query row, answer row) of id `ids[k]`. */
export interface Batch {
  type: BatchType;
  size: number;
  /** Example index (into TrainingExamples.ids). */
  ids: Int32Array;
  /** Language index of the question (a) and of the answer (b). */
  a: Int32Array;
  b: Int32Array;
  /** Rows in the source dataset's cached query / candidate embeddings. */
  queryRows: Int32Array;
  answerRows: Int32Array;
}

export interface BatchSampler {
  /** The languages batches are drawn from, with their normalised weights. */
  readonly languages: Array<{ lang: string; weight: number; examples: number }>;
  next(): Batch;
}

/** Collects, for every question id of the part, its query and answer rows in each language. */
export function buildTrainingExamples(part: DatasetPart): TrainingExamples {
  const { dataset, queryRows, candidateRows } = part;
  const L = dataset.languages.length;
  const langIndex = new Map(dataset.languages.map((l, i) => [l, i]));
  const idIndex = new Map<string, number>();
  const ids: string[] = [];
  for (const q of dataset.queries) {
    if (!idIndex.has(q.id) && (dataset.relevance[q.id]?.length ?? 0) > 0) {
      idIndex.set(q.id, ids.length);
      ids.push(q.id);
    }
  }
  const queryRow = new Int32Array(ids.length * L).fill(-1);
  const answerRow = new Int32Array(ids.length * L).fill(-1);
  dataset.queries.forEach((q, i) => {
    const id = idIndex.get(q.id);
    if (id !== undefined) queryRow[id * L + langIndex.get(q.lang)!] = queryRows[i];
  });
  ids.forEach((id, i) => {
    for (const c of dataset.relevance[id]) {
      const l = langIndex.get(dataset.candidates[c].lang)!;
      if (answerRow[i * L + l] < 0) answerRow[i * L + l] = candidateRows[c];
    }
  });
  // An example needs both sides in its language: a question without an answer there (or the
  // reverse) is unusable as a or b, so both rows are cleared.
  for (let k = 0; k < queryRow.length; k++) {
    if (queryRow[k] < 0 || answerRow[k] < 0) queryRow[k] = answerRow[k] = -1;
  }
  return { languages: [...dataset.languages], ids, queryRow, answerRow };
}

export function createBatchSampler(examples: TrainingExamples, settings: SamplerSettings): BatchSampler {
  const mix = normaliseMix(settings.mix);
  const B = settings.batchSize;
  if (!Number.isInteger(B) || B < 2) throw new RangeError(`Batch size must be an integer of at least 2, got ${B}`);
  const L = examples.languages.length;
  const excluded = new Set(settings.excludeLanguages ?? []);
  const wanted = settings.trainLanguages ? new Set(settings.trainLanguages) : undefined;
  for (const lang of [...excluded, ...(wanted ?? [])]) {
    if (!examples.languages.includes(lang)) throw new RangeError(`Language '${lang}' is not in the dataset (${examples.languages.join(', ')})`);
  }

  // Ids usable in each language.
  const idsOf: Int32Array[] = [];
  for (let l = 0; l < L; l++) {
    const list: number[] = [];
    for (let i = 0; i < examples.ids.length; i++) if (examples.queryRow[i * L + l] >= 0) list.push(i);
    idsOf.push(Int32Array.from(list));
  }
  const active = examples.languages
    .map((_, l) => l)
    .filter((l) => !excluded.has(examples.languages[l]) && (!wanted || wanted.has(examples.languages[l])) && idsOf[l].length > 0);
  if (active.length === 0) throw new RangeError('No training language left: every language is excluded or has no training example');
  if (mix.cross > 0 && active.length < 2) {
    throw new RangeError(`Cross-lingual batches need two training languages; only ${examples.languages[active[0]]} is left`);
  }
  const rawWeight = active.map((l) => (settings.languageWeighting === 'size' ? idsOf[l].length : 1));
  const totalWeight = rawWeight.reduce((s, w) => s + w, 0);
  const languages = active.map((l, k) => ({ lang: examples.languages[l], weight: rawWeight[k] / totalWeight, examples: idsOf[l].length }));

  const random = seededRandom(settings.seed);
  const used = new Uint8Array(examples.ids.length);
  const scratch = idsOf.map((list) => Int32Array.from(list));
  /** Intersections for cross pairs, built on first use: ids with an example in both a and b. */
  const pairIds = new Map<number, Int32Array>();

  const drawLanguage = (skip = -1): number => {
    let total = 0;
    for (let k = 0; k < active.length; k++) if (active[k] !== skip) total += rawWeight[k];
    let r = random() * total;
    for (let k = 0; k < active.length; k++) {
      if (active[k] === skip) continue;
      r -= rawWeight[k];
      if (r < 0) return active[k];
    }
    for (let k = active.length - 1; k >= 0; k--) if (active[k] !== skip) return active[k];
    return -1;
  };
  const drawType = (): BatchType => {
    let r = random();
    for (const t of BATCH_TYPES) {
      if (mix[t] <= 0) continue;
      r -= mix[t];
      if (r < 0) return t;
    }
    return BATCH_TYPES.filter((t) => mix[t] > 0).at(-1)!;
  };
  /** An unused id from `list`, uniformly (rejection, then a scan from a random start), or -1. */
  const drawUnused = (list: Int32Array): number => {
    const n = list.length;
    if (n === 0) return -1;
    for (let attempt = 0; attempt < 32; attempt++) {
      const id = list[Math.floor(random() * n)];
      if (!used[id]) return id;
    }
    const start = Math.floor(random() * n);
    for (let k = 0; k < n; k++) {
      const id = list[(start + k) % n];
      if (!used[id]) return id;
    }
    return -1;
  };
  const idsOfPair = (a: number, b: number): Int32Array => {
    const key = a * L + b;
    let list = pairIds.get(key);
    if (!list) {
      list = idsOf[a].filter((i) => examples.answerRow[i * L + b] >= 0);
      pairIds.set(key, list);
    }
    return list;
  };

  return {
    languages,
    next(): Batch {
      const type = drawType();
      const ids = new Int32Array(B);
      const a = new Int32Array(B);
      const b = new Int32Array(B);
      let size = 0;
      if (type === 'mono') {
        const lang = drawLanguage();
        // Partial Fisher-Yates over a per-language permutation: B distinct ids, uniformly.
        const perm = scratch[lang];
        const n = Math.min(B, perm.length);
        for (let k = 0; k < n; k++) {
          const j = k + Math.floor(random() * (perm.length - k));
          const t = perm[k];
          perm[k] = perm[j];
          perm[j] = t;
          ids[size] = perm[k];
          a[size] = b[size] = lang;
          size++;
        }
      } else {
        // A pair whose language(s) have no unused id left is redrawn, a bounded number of times.
        for (let tries = 0; size < B && tries < 4 * B; tries++) {
          const qa = drawLanguage();
          const qb = type === 'cross' ? drawLanguage(qa) : qa;
          const id = drawUnused(type === 'cross' ? idsOfPair(qa, qb) : idsOf[qa]);
          if (id < 0) continue;
          used[id] = 1;
          ids[size] = id;
          a[size] = qa;
          b[size] = qb;
          size++;
        }
        for (let k = 0; k < size; k++) used[ids[k]] = 0;
      }
      const queryRows = new Int32Array(size);
      const answerRows = new Int32Array(size);
      for (let k = 0; k < size; k++) {
        queryRows[k] = examples.queryRow[ids[k] * L + a[k]];
        answerRows[k] = examples.answerRow[ids[k] * L + b[k]];
      }
      return { type, size, ids: ids.slice(0, size), a: a.slice(0, size), b: b.slice(0, size), queryRows, answerRows };
    },
  };
}

/** What the Batch Mix cell shows under its settings: realised proportions over many batches. */
export interface MixStatistics {
  batches: number;
  /** Fraction of batches of each type. */
  batchTypes: Record<BatchType, number>;
  /** Fraction of all pairs whose question is in each language (training languages only appear). */
  questionLanguages: Record<string, number>;
  /** Fraction of all pairs whose answer is in each language. */
  answerLanguages: Record<string, number>;
  /** Fraction of pairs with a != b. */
  crossPairs: number;
  /** Fraction of pairs per (question language, answer language); rows and columns in dataset order. */
  pairLanguages: Record<string, Record<string, number>>;
  meanBatchSize: number;
  /** The languages drawn from and their target weights. */
  targetLanguageWeights: Record<string, number>;
}

/**
 * Samples `batches` batches with these settings (default 1000) and counts what came out. Pure and
 * deterministic: the same examples and settings give the same statistics.
 */
export function mixStatistics(examples: TrainingExamples, settings: SamplerSettings, batches = 1000): MixStatistics {
  const sampler = createBatchSampler(examples, settings);
  const L = examples.languages.length;
  const types: Record<BatchType, number> = { mono: 0, mixed: 0, cross: 0 };
  const qa = new Float64Array(L);
  const ab = new Float64Array(L);
  const pairs = new Float64Array(L * L);
  let total = 0;
  let cross = 0;
  for (let n = 0; n < batches; n++) {
    const batch = sampler.next();
    types[batch.type]++;
    for (let k = 0; k < batch.size; k++) {
      qa[batch.a[k]]++;
      ab[batch.b[k]]++;
      pairs[batch.a[k] * L + batch.b[k]]++;
      if (batch.a[k] !== batch.b[k]) cross++;
    }
    total += batch.size;
  }
  const byLang = (counts: Float64Array) => Object.fromEntries(examples.languages.map((l, i) => [l, counts[i] / Math.max(1, total)]));
  return {
    batches,
    batchTypes: { mono: types.mono / batches, mixed: types.mixed / batches, cross: types.cross / batches },
    questionLanguages: byLang(qa),
    answerLanguages: byLang(ab),
    crossPairs: cross / Math.max(1, total),
    pairLanguages: Object.fromEntries(
      examples.languages.map((x, i) => [x, Object.fromEntries(examples.languages.map((y, j) => [y, pairs[i * L + j] / Math.max(1, total)]))]),
    ),
    meanBatchSize: total / Math.max(1, batches),
    targetLanguageWeights: Object.fromEntries(sampler.languages.map((l) => [l.lang, l.weight])),
  };
}

/** The first `count` batches of these settings (the same as the first batches of a training run). */
export function sampleBatches(examples: TrainingExamples, settings: SamplerSettings, count: number): Batch[] {
  const sampler = createBatchSampler(examples, settings);
  return Array.from({ length: count }, () => sampler.next());
}

export interface BatchPreviewPair {
  id: string;
  a: string;
  b: string;
  question: string;
  answer: string;
}

/** A batch in words, for the preview: the question and answer texts of each pair. */
export function describeBatch(
  batch: Batch,
  examples: TrainingExamples,
  source: { queries: Array<{ text: string }>; candidates: Array<{ text: string }> },
): { type: BatchType; pairs: BatchPreviewPair[] } {
  return {
    type: batch.type,
    pairs: Array.from({ length: batch.size }, (_, k) => ({
      id: examples.ids[batch.ids[k]],
      a: examples.languages[batch.a[k]],
      b: examples.languages[batch.b[k]],
      question: source.queries[batch.queryRows[k]].text,
      answer: source.candidates[batch.answerRows[k]].text,
    })),
  };
}
