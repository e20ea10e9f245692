/**
 * What Tables 1 and 2 show, in one plain sentence: which mixes beat the frozen encoder on
 * cross-lingual mAP, by how much and whether the paired randomization test finds it significant, and
 * what happened to monolingual mAP. Built from the same paired statistics as the tables' superscripts.
 */
import { SIGNIFICANCE_LEVEL, type PairedDelta } from '../../core/stats/paired';
import { formatMetric, formatP } from '../../core/format';

/** One mix against the frozen encoder (delta = mix − frozen). */
export interface MixFinding {
  label: string;
  cross: PairedDelta;
  mono: PairedDelta;
}

const significant = (d: PairedDelta) => d.p !== null && d.p < SIGNIFICANCE_LEVEL;

/** "0.006" or "0.006–0.007": the size of the changes, without their sign. */
function sizes(deltas: number[]): string {
  const magnitudes = deltas.map((d) => Math.abs(d)).sort((a, b) => a - b);
  const low = formatMetric(magnitudes[0]);
  const high = formatMetric(magnitudes.at(-1));
  return low === high ? low : `${low}–${high}`;
}

/** "X-Y and Hybrid": names joined as a sentence reads them. */
function names(labels: string[]): string {
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/** "significant for X-Y (p = 0.002), not for Hybrid (p = 0.080)". */
function verdicts(findings: MixFinding[], metric: 'cross' | 'mono'): string {
  const yes = findings.filter((f) => significant(f[metric]));
  const no = findings.filter((f) => !significant(f[metric]));
  const list = (group: MixFinding[]) => names(group.map((f) => `${f.label} (p = ${formatP(f[metric].p)})`));
  if (no.length === 0) return findings.length === 1 ? `significant (p = ${formatP(findings[0][metric].p)})` : `significant for all: ${list(yes)}`;
  if (yes.length === 0) return findings.length === 1 ? `not significant (p = ${formatP(findings[0][metric].p)})` : `significant for none: ${list(no)}`;
  return `significant for ${list(yes)}, not for ${list(no)}`;
}

/** The sentence; null until every mix has its comparison with the frozen encoder. */
export function describeMixFindings(findings: MixFinding[]): string | null {
  const measured = findings.filter((f) => f.cross.delta !== null && f.mono.delta !== null);
  if (measured.length === 0 || measured.length < findings.length) return null;
  const raised = measured.filter((f) => f.cross.delta! > 0);
  const lowered = measured.filter((f) => f.cross.delta! <= 0);
  const parts: string[] = [];
  if (raised.length > 0) {
    parts.push(`${names(raised.map((f) => f.label))} ${raised.length === 1 ? 'raises' : 'raise'} cross-lingual mAP by ${sizes(raised.map((f) => f.cross.delta!))} over the frozen encoder, ${verdicts(raised, 'cross')}`);
  }
  if (lowered.length > 0) {
    const verb = lowered.length === 1 ? 'lowers' : 'lower';
    parts.push(`${names(lowered.map((f) => f.label))} ${raised.length > 0 ? verb + ' it' : verb + ' cross-lingual mAP'} by ${sizes(lowered.map((f) => f.cross.delta!))}${raised.length > 0 ? '' : ' against the frozen encoder'}, ${verdicts(lowered, 'cross')}`);
  }
  const monoSignificant = measured.filter((f) => significant(f.mono));
  const monoDeltas = measured.map((f) => f.mono.delta!);
  const monoRange = (() => {
    const low = Math.min(...monoDeltas);
    const high = Math.max(...monoDeltas);
    const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${formatMetric(Math.abs(x))}`;
    return signed(low) === signed(high) ? signed(low) : `${signed(low)} to ${signed(high)}`;
  })();
  const mono =
    monoSignificant.length === 0
      ? `monolingual mAP moves by ${monoRange}, not significantly`
      : `monolingual mAP moves by ${monoRange}, significantly for ${names(monoSignificant.map((f) => `${f.label} (${f.mono.delta! > 0 ? '+' : '−'}${formatMetric(Math.abs(f.mono.delta!))})`))}`;
  return `${parts.join('; ')}; ${mono}.`;
}
