/**
 * What each metric name means, where it appears: the definitions of design.md in a sentence or two,
 * which direction is better, and what the number cannot tell. One entry per metric key of the report.
 */
export type MetricKey = 'mono_map' | 'cross_map' | 'multi_map' | 'multi_r10' | 'rank_distance' | 'own_share10' | 'own_first_excess' | 'own_neighbours'
  | 'mono_ndcg10' | 'mono_r100' | 'multi_ndcg10' | 'multi_r100';

export interface MetricDefinition {
  name: string;
  measures: string;
  better: string;
  cannotTell: string;
}

export const METRIC_GLOSSARY: Record<MetricKey, MetricDefinition> = {
  mono_map: {
    name: 'Monolingual mAP',
    measures:
      'Questions in language X ranked against the candidates of X only (cell X, X); each has one relevant answer sentence, so AP = 1/rank. The mean of the diagonal cells.',
    better: 'Higher is better (1 = the answer always first).',
    cannotTell: 'Whether the encoder matches across languages at all.',
  },
  cross_map: {
    name: 'Cross-lingual mAP',
    measures: 'Questions in X ranked against the candidates of another language Y only (cell X, Y with X ≠ Y), AP = 1/rank; the mean of the off-diagonal cells.',
    better: 'Higher is better.',
    cannotTell: 'Which language the encoder prefers when all languages compete in one pool: multilingual mAP, rank distance and own-language share show that.',
  },
  multi_map: {
    name: 'Multilingual mAP',
    measures:
      "One pool of all candidates of all languages; a question's relevant items are its answer sentence in every language where it exists. AP over all of them, averaged per query language, then over languages.",
    better: 'Higher is better.',
    cannotTell: 'Which languages were ranked too low: rank distance and own-language share say that.',
  },
  multi_r10: {
    name: 'Multilingual R@10',
    measures: "The share of a question's relevant answers (one per language) in the top 10 of the all-language pool; averaged per query language, then over languages.",
    better: 'Higher is better. With more than 10 languages not every answer fits in the top 10, so 1 is out of reach.',
    cannotTell: 'The order inside the top 10, or how far down the missing answers are.',
  },
  rank_distance: {
    name: 'Rank distance',
    measures:
      "In the all-language ranking, for a question with at least two relevant answers: the rank of its worst-placed answer minus the rank of its best-placed one. Averaged per query language, then over languages.",
    better: 'Lower is better: less language bias (the answers in all languages sit close together).',
    cannotTell: 'Whether the answers are near the top: answers at ranks 500 and 501 score 1, as well as answers at ranks 1 and 2.',
  },
  own_share10: {
    name: 'Own-language share@10',
    measures: "The fraction of a question's all-language top 10 that is in the question's own language.",
    better: 'Neither direction is better by itself: a high share means the encoder prefers the query’s own language; with N languages a language-blind encoder gives about 1/N.',
    cannotTell: 'Whether those ten results are relevant.',
  },
  mono_ndcg10: {
    name: 'Monolingual nDCG@10',
    measures:
      'MIRACL\'s headline metric, per cell (X, X): DCG@10 = the sum over relevant candidates at rank r ≤ 10 of 1 / log2(r + 1) (every relevant item counts 1), divided by the DCG@10 of a ranking with all relevant items on top. The mean of the diagonal cells.',
    better: 'Higher is better (1 = every relevant item ranked before every other, up to 10 of them).',
    cannotTell: 'Anything below rank 10, or how other languages fare.',
  },
  mono_r100: {
    name: 'Monolingual Recall@100',
    measures: 'Per cell (X, X): the share of a question\'s relevant candidates in the top 100 of its language\'s pool (MIRACL\'s second metric); the mean of the diagonal cells.',
    better: 'Higher is better: what a re-ranker reading the top 100 could still find.',
    cannotTell: 'The order inside the top 100.',
  },
  multi_ndcg10: {
    name: 'Multilingual nDCG@10',
    measures: 'nDCG@10 (as monolingual) in the one pool of all languages, over all of a question\'s relevant items; averaged per query language, then over languages.',
    better: 'Higher is better.',
    cannotTell: 'Which languages the relevant items below rank 10 are in.',
  },
  multi_r100: {
    name: 'Multilingual Recall@100',
    measures: 'The share of a question\'s relevant items in the top 100 of the all-language pool; averaged per query language, then over languages.',
    better: 'Higher is better.',
    cannotTell: 'The order inside the top 100.',
  },
  own_first_excess: {
    name: 'Own language first, excess',
    measures:
      "For a question with at least two relevant answers: 1 if its best-ranked answer is in the question's own language, else 0, minus 1/|R| (what a language-blind encoder would give). Averaged per query language, then over languages.",
    better: 'Closer to 0 is better: 0 is language-blind, positive means the encoder puts the own-language answer first more often than chance.',
    cannotTell: 'How far ahead the own-language answer is, or how good the ranking is.',
  },
  own_neighbours: {
    name: 'Own-language neighbours',
    measures:
      "On the map's sample of questions and candidate sentences: for each point, the share of its 15 nearest other points (cosine similarity of the embeddings themselves, not of the 2-D map) that are in its own language; averaged over the points, or over one language's points.",
    better:
      'Lower means the space mixes languages more. The language-blind value beside it is what a space that ignores language would give (about 1/N with N languages sampled equally); 1 means every language is an island.',
    cannotTell: 'Whether the neighbours are relevant (translations, answers): it measures mixing, not retrieval; and with a few hundred points per language it moves by a few hundredths from sample to sample.',
  },
};
