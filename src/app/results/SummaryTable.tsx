/**
 * The headline numbers of a run (mono / cross / multilingual) and its per-language multilingual
 * rows; with a second run, its values and the differences beside them, and, once computed, each
 * difference's 95% CI and p (paired, by question id). Each value cell's title holds the
 * full-precision number.
 */
import type { EvalReport } from '../../core/metrics/types';
import { COMPARED_METRICS, SIGNIFICANCE_LEVEL, type ComparedMetric, type ComparisonReport } from '../../core/stats/paired';
import type { Run } from '../state/runs';
import { formatDelta, formatInterval, formatMetric, formatP, formatRanks } from '../../core/format';
import type { MetricKey } from './metric-glossary';
import { MetricTerm } from './MetricTerm';

interface Row {
  label: string;
  key: MetricKey;
  value: (report: EvalReport) => number | null | undefined;
  format: (value: number | null | undefined) => string;
  /** Whether a larger value is better; null where neither is (a share says how, not how well). */
  higherIsBetter: boolean | null;
}

const SUMMARY_ROWS: Row[] = [
  { label: 'Monolingual mAP', key: 'mono_map', value: (r) => r.summary.mono_map, format: formatMetric, higherIsBetter: true },
  { label: 'Cross-lingual mAP', key: 'cross_map', value: (r) => r.summary.cross_map, format: formatMetric, higherIsBetter: true },
  { label: 'Multilingual mAP', key: 'multi_map', value: (r) => r.summary.multi_map, format: formatMetric, higherIsBetter: true },
  { label: 'Multilingual R@10', key: 'multi_r10', value: (r) => r.summary.multi_r10, format: formatMetric, higherIsBetter: true },
  { label: 'Rank distance', key: 'rank_distance', value: (r) => r.summary.rank_distance, format: formatRanks, higherIsBetter: false },
  { label: 'Own-language share@10', key: 'own_share10', value: (r) => r.summary.own_share10, format: formatMetric, higherIsBetter: null },
  { label: 'Own language first, excess', key: 'own_first_excess', value: (r) => r.summary.own_first_excess, format: formatMetric, higherIsBetter: false },
  // Absent (a dash) in runs measured before they existed.
  { label: 'Monolingual nDCG@10', key: 'mono_ndcg10', value: (r) => r.summary.mono_ndcg10, format: formatMetric, higherIsBetter: true },
  { label: 'Monolingual Recall@100', key: 'mono_r100', value: (r) => r.summary.mono_r100, format: formatMetric, higherIsBetter: true },
  { label: 'Multilingual nDCG@10', key: 'multi_ndcg10', value: (r) => r.summary.multi_ndcg10, format: formatMetric, higherIsBetter: true },
  { label: 'Multilingual Recall@100', key: 'multi_r100', value: (r) => r.summary.multi_r100, format: formatMetric, higherIsBetter: true },
];

function isCompared(key: string): key is ComparedMetric {
  return (COMPARED_METRICS as readonly string[]).includes(key);
}

/** The per-language values of the summary's multilingual metrics (`metric`), and the query count. */
const LANGUAGE_COLUMNS: { label: string; key: 'map' | 'r10' | 'rank_distance' | 'own_share10' | 'n'; metric: MetricKey | null }[] = [
  { label: 'mAP', key: 'map', metric: 'multi_map' },
  { label: 'R@10', key: 'r10', metric: 'multi_r10' },
  { label: 'Rank dist.', key: 'rank_distance', metric: 'rank_distance' },
  { label: 'Own@10', key: 'own_share10', metric: 'own_share10' },
  { label: 'n', key: 'n', metric: null },
];

function ValueCell({ value, format }: { value: number | null | undefined; format: (value: number | null | undefined) => string }) {
  return (
    <td className="num" title={value === null || value === undefined ? undefined : String(value)}>
      {format(value)}
    </td>
  );
}

/** `comparable`: both runs measured the same questions; otherwise a difference is no gain or loss and gets no colour. */
function DeltaCell({ a, b, higherIsBetter, digits, comparable }: { a: number | null | undefined; b: number | null | undefined; higherIsBetter: boolean | null; digits: number; comparable: boolean }) {
  const delta = a === null || a === undefined || b === null || b === undefined ? null : a - b;
  const tone = !comparable || delta === null || higherIsBetter === null || Math.abs(delta) < 10 ** -digits / 2 ? '' : (delta > 0) === higherIsBetter ? 'better' : 'worse';
  return <td className={`num delta ${tone}`}>{formatDelta(delta, digits)}</td>;
}

/** `comparison`: the paired statistics of run against other (delta = run − other), when computed. */
export function SummaryTable({ run, other, comparison = null, comparable }: { run: Run; other: Run | null; comparison?: ComparisonReport | null; comparable: boolean }) {
  return (
    <table className="summary-table" data-testid="summary-table">
      <caption>Summary{other ? `: Run ${run.number} against Run ${other.number}` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" className="num">Run {run.number}</th>
          {other ? (
            <>
              <th scope="col" className="num">Run {other.number}</th>
              <th scope="col" className="num">Δ</th>
              {comparison ? (
                <>
                  <th scope="col" className="num">95% CI</th>
                  <th scope="col" className="num">p</th>
                </>
              ) : null}
            </>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {SUMMARY_ROWS.map((row) => (
          <tr key={row.key} data-metric={row.key}>
            <th scope="row">
              <MetricTerm metric={row.key}>{row.label}</MetricTerm>
            </th>
            <ValueCell value={row.value(run.report)} format={row.format} />
            {other ? (
              <>
                <ValueCell value={row.value(other.report)} format={row.format} />
                <DeltaCell
                  a={row.value(run.report)}
                  b={row.value(other.report)}
                  higherIsBetter={row.higherIsBetter}
                  digits={row.format === formatRanks ? 1 : 3}
                  comparable={comparable}
                />
                {comparison ? <SignificanceCells comparison={comparison} metric={row.key} digits={row.format === formatRanks ? 1 : 3} /> : null}
              </>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The CI and p of a summary metric; blank for the metrics the statistics do not cover. */
function SignificanceCells({ comparison, metric, digits }: { comparison: ComparisonReport; metric: string; digits: number }) {
  if (!isCompared(metric)) {
    return (
      <>
        <td className="num muted">–</td>
        <td className="num muted">–</td>
      </>
    );
  }
  const { ci, p } = comparison.summary[metric];
  const significant = p !== null && p < SIGNIFICANCE_LEVEL;
  return (
    <>
      <td className="num ci" data-ci={ci ? ci.join(',') : ''}>{formatInterval(ci, digits)}</td>
      <td className={`num p${significant ? ' significant' : ''}`} data-p={p ?? ''}>
        {formatP(p)}
      </td>
    </>
  );
}

/** Multilingual metrics per query language (the macro means above average these rows). */
export function LanguageTable({ run, other, comparable }: { run: Run; other: Run | null; comparable: boolean }) {
  return (
    <table className="summary-table language-table" data-testid="language-table">
      <caption>Multilingual retrieval by query language{other ? ` (Δ against Run ${other.number})` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Lang</th>
          {LANGUAGE_COLUMNS.map((column) => (
            <th scope="col" className="num" key={column.key}>
              {column.metric ? <MetricTerm metric={column.metric}>{column.label}</MetricTerm> : column.label}
            </th>
          ))}
          {other ? (
            <>
              <th scope="col" className="num">ΔmAP</th>
              <th scope="col" className="num">ΔRank dist.</th>
            </>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {run.languages.map((lang) => {
          const metrics = run.report.multilingual[lang];
          const base = other?.report.multilingual[lang];
          return (
            <tr key={lang} data-lang={lang}>
              <th scope="row">{lang}</th>
              {LANGUAGE_COLUMNS.map((column) => (
                <ValueCell
                  key={column.key}
                  value={metrics?.[column.key]}
                  format={column.key === 'rank_distance' ? formatRanks : column.key === 'n' ? (v) => String(v ?? '–') : formatMetric}
                />
              ))}
              {other ? (
                <>
                  <DeltaCell a={metrics?.map} b={base?.map} higherIsBetter digits={3} comparable={comparable} />
                  <DeltaCell a={metrics?.rank_distance} b={base?.rank_distance} higherIsBetter={false} digits={1} comparable={comparable} />
                </>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
