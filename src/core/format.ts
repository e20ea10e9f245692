/** Number formats shared by the tables and charts. */
import type { Pace } from './progress';

/** A metric in [0, 1]: three decimals; a dash where there is no value. */
export function formatMetric(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** Rank distance is in ranks: one decimal, as the paper reports it. */
export function formatRanks(value: number | null | undefined): string {
  return formatMetric(value, 1);
}

/** A signed difference with a real minus sign, so columns of deltas read at a glance; no sign when it rounds to 0. */
export function formatDelta(value: number | null, digits = 3): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value).toFixed(digits);
  if (Number(magnitude) === 0) return magnitude;
  return `${value > 0 ? '+' : '−'}${magnitude}`;
}

/** A confidence interval of a difference, e.g. "[−0.004, +0.012]"; a dash without one. */
export function formatInterval(interval: [number, number] | null | undefined, digits = 3): string {
  return interval ? `[${formatDelta(interval[0], digits)}, ${formatDelta(interval[1], digits)}]` : '–';
}

/** A p-value: three decimals, four below 0.001 (the smallest p of 2000 permutations is 0.0005). */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined) return '–';
  return p < 0.001 ? p.toFixed(4) : p.toFixed(3);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(seconds / 3600).toFixed(1)} h`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** " · 1,234 texts/s · 12.0 s left", or nothing while the rate is not known yet. */
export function describePace(pace: Pace | undefined, unit: string): string {
  if (!pace?.rate) return '';
  const rate = pace.rate >= 100 ? formatCount(Math.round(pace.rate)) : pace.rate.toFixed(pace.rate >= 10 ? 1 : 2);
  return ` · ${rate} ${unit}/s${pace.secondsLeft === null ? '' : ` · ${formatSeconds(pace.secondsLeft)} left`}`;
}
