import type { Dataset } from './types';

export type CandidateTextMode = 'sentence' | 'sentence+paragraph';

/**
 * The text each candidate is encoded from, in pool order. "sentence+paragraph" appends the
 * paragraph after a space (the sentence first, so truncating encoders keep it); candidates without
 * a paragraph (JSONL) give their text alone.
 */
export function candidateTexts(dataset: Dataset, mode: CandidateTextMode = 'sentence'): string[] {
  return dataset.candidates.map((c) =>
    mode === 'sentence+paragraph' && c.context !== undefined ? `${c.text} ${c.context}` : c.text,
  );
}

export interface LanguageSummary {
  lang: string;
  queries: number;
  candidates: number;
}

export interface DatasetSummary {
  name: string;
  /** In the dataset's language order. */
  languages: LanguageSummary[];
  /** Distinct question ids (a question and its translations count once). */
  questions: number;
  queries: number;
  candidates: number;
  warnings: number;
}

/** Counts per language, for the dataset cell in the notebook and the CLI's opening lines. */
export function datasetSummary(dataset: Dataset): DatasetSummary {
  const count = (items: { lang: string }[]) => {
    const counts = new Map<string, number>();
    for (const { lang } of items) counts.set(lang, (counts.get(lang) ?? 0) + 1);
    return counts;
  };
  const queries = count(dataset.queries);
  const candidates = count(dataset.candidates);
  return {
    name: dataset.name,
    languages: dataset.languages.map((lang) => ({
      lang,
      queries: queries.get(lang) ?? 0,
      candidates: candidates.get(lang) ?? 0,
    })),
    questions: new Set(dataset.queries.map((q) => q.id)).size,
    queries: dataset.queries.length,
    candidates: dataset.candidates.length,
    warnings: dataset.warnings?.length ?? 0,
  };
}
