import { MIX_PRESETS } from '../../core/training';
import type { EvalSummary } from '../../core/metrics/types';
import { CopyTable } from '../results/CopyTable';
import { formatMetric, formatRanks } from '../results/format';
import { MapColumnHeads, MetricTerm } from '../results/MetricTerm';
import type { Run, TrainedRun } from '../state/runs';
import { COMPARED_MIXES } from '../state/training';

/**
 * The last "Compare mixes" experiment in the layout of the paper's Tables 1 and 2 (Elmahdy et al.):
 * mAP mono / cross / multi per mix with the untrained encoder's row, and rank distance per mix.
 */
export function MixComparison({ runs }: { runs: Run[] }) {
  const trained = runs.filter((run): run is TrainedRun => run.kind === 'trained' && run.training.experimentId !== null);
  const experimentId = trained.at(-1)?.training.experimentId;
  if (!experimentId) return null;
  const members = trained.filter((run) => run.training.experimentId === experimentId);
  const rows: { label: string; run: number | null; summary: EvalSummary }[] = [
    { label: 'Untrained', run: null, summary: members[0].training.outcome.before.summary },
    ...COMPARED_MIXES.flatMap((preset) => {
      const run = members.find((member) => member.training.mix.preset === preset);
      return run ? [{ label: MIX_PRESETS[preset].label, run: run.number, summary: run.report.summary }] : [];
    }),
  ];
  const first = members[0];
  return (
    <div className="mix-comparison" data-testid="mix-comparison">
      <h3 className="subhead">
        Compare mixes: {first.datasetName}, evaluation side of {first.training.outcome.split.spec} (seed {first.training.mix.seed})
        {members.length < COMPARED_MIXES.length ? ` — ${members.length} of ${COMPARED_MIXES.length} mixes so far` : ''}
      </h3>
      <div className="tables-pair">
        <CopyTable name="Table 1">
          <table className="summary" data-testid="table-1">
            <caption className="small muted">Table 1: mAP</caption>
            <thead>
              <tr>
                <th scope="col">Mix</th>
                <MapColumnHeads />
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.label} data-mix={row.label}>
                  <td>
                    {row.label} {row.run === null ? null : <span className="muted small">Run {row.run}</span>}
                  </td>
                  <td className="num">{formatMetric(row.summary.mono_map)}</td>
                  <td className="num">{formatMetric(row.summary.cross_map)}</td>
                  <td className="num">{formatMetric(row.summary.multi_map)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </CopyTable>
        <CopyTable name="Table 2">
          <table className="summary" data-testid="table-2">
            <caption className="small muted">Table 2: rank distance (lower is better)</caption>
            <thead>
              <tr>
                <th scope="col">Mix</th>
                <th scope="col" className="num">
                  <MetricTerm metric="rank_distance" />
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.label} data-mix={row.label}>
                  <td>{row.label}</td>
                  <td className="num">{formatRanks(row.summary.rank_distance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </CopyTable>
      </div>
    </div>
  );
}
