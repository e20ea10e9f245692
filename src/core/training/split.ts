/**
 * Training / evaluation splits that never overlap (design.md, "Batch mixes (training)").
 *
 * An *article* is the unit of a split. In LAReQA files (XQuAD-R, MLQA-R) a candidate's article is
 * `(lang, article index)`; because translations of one question live in different files, the unit
 * that must not be cut is the connected group of articles linked by shared question ids: union-find
 * over `(lang, article)` nodes, joined by every question's relevant candidates. For XQuAD-R (parallel
 * files) the groups are exactly the 48 articles, each in all 11 languages. For JSONL data (no
 * positions) every candidate is its own node, so a group is the set of candidates linked by questions.
 * A group goes to one side whole: no question id, and no sentence of a paragraph that a training
 * question was asked about (in any language), reaches the evaluation side.
 *
 * The training side is split again, the same way, into the part trained on and a *validation* part
 * used for early stopping (the paper's protocol), so the evaluation side is never looked at to choose
 * anything.
 */
import type { Dataset } from '../dataset/types';
import { seededRandom } from '../linalg/random';

export interface ArticleSplitOptions {
  /** Fraction of the article groups on the training side (train + validation), in (0, 1). */
  train: number;
  /** Fraction of the training side's groups held out for validation, in [0, 1). */
  validation: number;
  seed: number;
}

/** One side of a split, as saved with the run. */
export interface SplitSideRecord {
  /** Article indices (LAReQA with parallel files) or group labels (`lang:article`, candidate ids). */
  articles: Array<number | string>;
  /** Question ids on this side, sorted. */
  question_ids: string[];
  queries: number;
  candidates: number;
}

/** The split as saved in the run's report: enough to rebuild every side exactly. */
export interface SplitRecord {
  kind: 'articles' | 'datasets';
  /** `articles:0.5`, or `datasets`. */
  spec: string;
  seed: number;
  train_fraction: number | null;
  validation_fraction: number;
  /** Datasets split: the dataset evaluated on. */
  evaluation_dataset?: string;
  train: SplitSideRecord;
  validation: SplitSideRecord;
  evaluation: SplitSideRecord;
}

/** A dataset restricted to some queries and candidates, with the rows they came from. */
export interface DatasetPart {
  dataset: Dataset;
  /** `dataset.queries[i]` is row `queryRows[i]` of the source dataset (and of its cached embeddings). */
  queryRows: Int32Array;
  candidateRows: Int32Array;
}

export interface DataSplit {
  record: SplitRecord;
  /** The source dataset of `train` and `validation` (cached embeddings are indexed by its rows). */
  trainSource: Dataset;
  /** The source dataset of `evaluation` (the same object as trainSource for an article split). */
  evaluationSource: Dataset;
  train: DatasetPart;
  validation: DatasetPart;
  evaluation: DatasetPart;
}

interface ArticleGroup {
  label: number | string;
  candidates: number[];
  questionIds: string[];
}

/** `articles:0.5` -> { train: 0.5 }; throws a readable RangeError otherwise. */
export function parseSplitSpec(text: string): { kind: 'articles'; train: number } {
  const match = /^articles:([0-9.]+)$/.exec(text.trim());
  const train = match ? Number(match[1]) : NaN;
  if (!match || !(train > 0 && train < 1)) {
    throw new RangeError(`Cannot read split '${text}': expected articles:F with 0 < F < 1 (the fraction of articles trained on)`);
  }
  return { kind: 'articles', train };
}

/** Splits one dataset by article groups into training, validation and evaluation sides. */
export function splitByArticles(dataset: Dataset, options: ArticleSplitOptions): DataSplit {
  checkFraction('train', options.train, false);
  checkFraction('validation', options.validation, true);
  const groups = articleGroups(dataset);
  if (groups.length < 2) throw new RangeError(`Cannot split ${dataset.name} by articles: it has only ${groups.length} article group`);
  const order = shuffledIndices(groups.length, seededRandom(options.seed));
  const trainCount = clamp(Math.round(options.train * groups.length), 1, groups.length - 1);
  const validationCount =
    options.validation > 0 && trainCount >= 2 ? clamp(Math.round(options.validation * trainCount), 1, trainCount - 1) : 0;
  const side = new Uint8Array(groups.length); // 0 train, 1 validation, 2 evaluation
  order.forEach((g, i) => {
    side[g] = i < trainCount - validationCount ? 0 : i < trainCount ? 1 : 2;
  });
  const parts = [0, 1, 2].map((s) => groupsPart(dataset, groups.filter((_, g) => side[g] === s)));
  return {
    record: {
      kind: 'articles',
      spec: `articles:${options.train}`,
      seed: options.seed,
      train_fraction: options.train,
      validation_fraction: options.validation,
      train: parts[0].record,
      validation: parts[1].record,
      evaluation: parts[2].record,
    },
    trainSource: dataset,
    evaluationSource: dataset,
    train: parts[0].part,
    validation: parts[1].part,
    evaluation: parts[2].part,
  };
}

/**
 * Trains on one dataset (less a validation part, split by article groups) and evaluates on all of
 * another. Throws when the two share a question id: that would be training on evaluation questions.
 */
export function splitByDatasets(
  trainDataset: Dataset,
  evaluationDataset: Dataset,
  options: { validation: number; seed: number },
): DataSplit {
  checkFraction('validation', options.validation, true);
  const trainIds = new Set(trainDataset.queries.map((q) => q.id));
  const shared = new Set(evaluationDataset.queries.filter((q) => trainIds.has(q.id)).map((q) => q.id));
  if (shared.size > 0) {
    throw new RangeError(
      `${trainDataset.name} and ${evaluationDataset.name} share ${shared.size} question ids (e.g. ${[...shared][0]}): ` +
        'training and evaluation data must not overlap; use an article split of one dataset instead',
    );
  }
  const groups = articleGroups(trainDataset);
  const order = shuffledIndices(groups.length, seededRandom(options.seed));
  const validationCount = options.validation > 0 && groups.length >= 2 ? clamp(Math.round(options.validation * groups.length), 1, groups.length - 1) : 0;
  const isValidation = new Uint8Array(groups.length);
  order.slice(0, validationCount).forEach((g) => (isValidation[g] = 1));
  const train = groupsPart(trainDataset, groups.filter((_, g) => !isValidation[g]));
  const validation = groupsPart(trainDataset, groups.filter((_, g) => isValidation[g]));
  const all = wholePart(evaluationDataset);
  return {
    record: {
      kind: 'datasets',
      spec: 'datasets',
      seed: options.seed,
      train_fraction: null,
      validation_fraction: options.validation,
      evaluation_dataset: evaluationDataset.name,
      train: train.record,
      validation: validation.record,
      evaluation: all.record,
    },
    trainSource: trainDataset,
    evaluationSource: evaluationDataset,
    train: train.part,
    validation: validation.part,
    evaluation: all.part,
  };
}

/**
 * The article groups of a dataset, in order of their first candidate in pool order. Candidates in no
 * question's relevant set still belong to their article (LAReQA) and go with it; JSONL candidates
 * that no question links are groups of their own.
 */
export function articleGroups(dataset: Dataset): ArticleGroup[] {
  const nodeOf = new Map<string, number>();
  const candidateNode = new Int32Array(dataset.candidates.length);
  dataset.candidates.forEach((c, i) => {
    const key = c.position ? `${c.lang}\u0000${c.position.article}` : `#${i}`;
    let node = nodeOf.get(key);
    if (node === undefined) nodeOf.set(key, (node = nodeOf.size));
    candidateNode[i] = node;
  });
  const parent = Int32Array.from({ length: nodeOf.size }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const list of Object.values(dataset.relevance)) {
    for (let i = 1; i < list.length; i++) {
      const a = find(candidateNode[list[0]]);
      const b = find(candidateNode[list[i]]);
      // The smaller root wins, so labels do not depend on the order ids are visited in.
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const groupOfRoot = new Map<number, number>();
  const groups: ArticleGroup[] = [];
  const articlesOf: Array<Set<string>> = [];
  dataset.candidates.forEach((c, i) => {
    const root = find(candidateNode[i]);
    let g = groupOfRoot.get(root);
    if (g === undefined) {
      groupOfRoot.set(root, (g = groups.length));
      groups.push({ label: '', candidates: [], questionIds: [] });
      articlesOf.push(new Set());
    }
    groups[g].candidates.push(i);
    articlesOf[g].add(c.position ? `${c.lang}:${c.position.article}` : c.id);
  });
  const seenIds = new Set<string>();
  for (const q of dataset.queries) {
    const list = dataset.relevance[q.id];
    if (!list?.length || seenIds.has(q.id)) continue;
    seenIds.add(q.id);
    groups[groupOfRoot.get(find(candidateNode[list[0]]))!].questionIds.push(q.id);
  }
  groups.forEach((group, g) => {
    const names = [...articlesOf[g]];
    const numbers = new Set(names.map((n) => (/^[^:]+:(\d+)$/.exec(n)?.[1] ?? 'x')));
    group.label = numbers.size === 1 && !numbers.has('x') ? Number([...numbers][0]) : names.join(' ');
  });
  return groups;
}

function groupsPart(dataset: Dataset, groups: ArticleGroup[]): { part: DatasetPart; record: SplitSideRecord } {
  const keepCandidate = new Uint8Array(dataset.candidates.length);
  for (const g of groups) for (const c of g.candidates) keepCandidate[c] = 1;
  const ids = new Set(groups.flatMap((g) => g.questionIds));
  const part = subsetDataset(dataset, (q) => ids.has(q), keepCandidate);
  const labels = groups.map((g) => g.label);
  return {
    part,
    record: {
      articles: labels.every((l) => typeof l === 'number') ? (labels as number[]).sort((a, b) => a - b) : labels.map(String).sort(),
      question_ids: [...ids].sort(),
      queries: part.dataset.queries.length,
      candidates: part.dataset.candidates.length,
    },
  };
}

function wholePart(dataset: Dataset): { part: DatasetPart; record: SplitSideRecord } {
  return groupsPart(dataset, articleGroups(dataset));
}

/**
 * The dataset restricted to the queries whose id passes `keepId` and the candidates flagged in
 * `keepCandidate`, orders kept (so pool order and tie-breaking stay as in the source); relevance is
 * remapped, and relevant candidates that were dropped are dropped from the relevant sets.
 */
export function subsetDataset(dataset: Dataset, keepId: (id: string) => boolean, keepCandidate: Uint8Array): DatasetPart {
  const newIndex = new Int32Array(dataset.candidates.length).fill(-1);
  const candidateRows: number[] = [];
  dataset.candidates.forEach((_, i) => {
    if (keepCandidate[i]) {
      newIndex[i] = candidateRows.length;
      candidateRows.push(i);
    }
  });
  const queryRows: number[] = [];
  dataset.queries.forEach((q, i) => {
    if (keepId(q.id)) queryRows.push(i);
  });
  // A Map, then fromEntries: question ids such as "__proto__" or "constructor" are ordinary keys here.
  const relevance = new Map<string, number[]>();
  for (const row of queryRows) {
    const id = dataset.queries[row].id;
    if (relevance.has(id)) continue;
    relevance.set(id, (dataset.relevance[id] ?? []).map((c) => newIndex[c]).filter((c) => c >= 0));
  }
  return {
    dataset: {
      name: dataset.name,
      languages: [...dataset.languages],
      queries: queryRows.map((r) => dataset.queries[r]),
      candidates: candidateRows.map((r) => dataset.candidates[r]),
      relevance: Object.fromEntries(relevance),
    },
    queryRows: Int32Array.from(queryRows),
    candidateRows: Int32Array.from(candidateRows),
  };
}

/** Fisher-Yates over 0..n-1 with the given generator. */
export function shuffledIndices(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function checkFraction(name: string, value: number, zeroAllowed: boolean): void {
  if (!Number.isFinite(value) || value >= 1 || value < 0 || (!zeroAllowed && value === 0)) {
    throw new RangeError(`Split: ${name} fraction must be ${zeroAllowed ? 'in [0, 1)' : 'in (0, 1)'}, got ${value}`);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * A seeded sample of a part's questions: `maxQuestions` question ids (with all their translations)
 * against the part's whole candidate pools, so that mAP on it estimates mAP on the whole part at a
 * fraction of the cost (the held-out checks). The whole part when it has no more ids than that.
 */
export function sampleQuestions(part: DatasetPart, maxQuestions: number, seed: number): DatasetPart {
  const ids = [...new Set(part.dataset.queries.map((q) => q.id))];
  if (maxQuestions <= 0 || ids.length <= maxQuestions) return part;
  const kept = new Set(shuffledIndices(ids.length, seededRandom(seed ^ 0x4e1d)).slice(0, maxQuestions).map((i) => ids[i]));
  const sample = subsetDataset(part.dataset, (id) => kept.has(id), new Uint8Array(part.dataset.candidates.length).fill(1));
  return {
    dataset: sample.dataset,
    queryRows: sample.queryRows.map((row) => part.queryRows[row]),
    candidateRows: part.candidateRows,
  };
}
