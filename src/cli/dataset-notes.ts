/** What the notebook shows beside a loaded dataset, on stderr: its warnings and its empty languages. */
import type { Dataset } from '../core/dataset/types';

/** Enough to see the pattern; the rest is counted. */
const SHOWN_WARNINGS = 20;

export function datasetNotes(dataset: Dataset): string[] {
  const warnings = dataset.warnings ?? [];
  const lines = warnings.slice(0, SHOWN_WARNINGS).map((w) => `warning: ${w.file}${w.place ? ` (${w.place})` : ''}: ${w.message}`);
  if (warnings.length > SHOWN_WARNINGS) lines.push(`warning: …and ${warnings.length - SHOWN_WARNINGS} more warnings like these`);
  const queries = new Map(dataset.languages.map((lang) => [lang, 0]));
  const candidates = new Map(dataset.languages.map((lang) => [lang, 0]));
  for (const q of dataset.queries) queries.set(q.lang, (queries.get(q.lang) ?? 0) + 1);
  for (const c of dataset.candidates) candidates.set(c.lang, (candidates.get(c.lang) ?? 0) + 1);
  for (const lang of dataset.languages) {
    const missing = [queries.get(lang) === 0 ? 'questions' : '', candidates.get(lang) === 0 ? 'candidate sentences' : ''].filter(Boolean);
    if (missing.length > 0) {
      lines.push(`warning: language ${lang} has no ${missing.join(' and no ')}: its cells are empty and left out of the means (shown as n/a)`);
    }
  }
  return lines;
}

/** A metric for a log line: four decimals, or n/a where there was nothing to measure. */
export function formatLogMetric(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}
