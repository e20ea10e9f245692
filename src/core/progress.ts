/**
 * Rate and time left of a long job, for every progress line (texts/s, queries/s, steps/s).
 *
 * The rate is measured from the first report of the current phase, not from zero: items that came
 * at once (embeddings from the cache, say) would otherwise inflate it. Before `settleSeconds` have
 * passed, or while nothing moved, there is no rate and no estimate rather than a wild one.
 */
export interface Pace {
  /** Items per second over the phase so far; null until it can be measured. */
  rate: number | null;
  /** Seconds left at that rate; null without a rate or a total. */
  secondsLeft: number | null;
}

export class RateMeter {
  private phase: string | null = null;
  private startDone = 0;
  private startAt = 0;

  constructor(private readonly settleSeconds = 0.5) {}

  /** `now` in milliseconds (performance.now()); `total` null when unknown. */
  update(phase: string, done: number, total: number | null, now: number): Pace {
    if (phase !== this.phase || done < this.startDone) {
      this.phase = phase;
      this.startDone = done;
      this.startAt = now;
      return { rate: null, secondsLeft: null };
    }
    const seconds = (now - this.startAt) / 1000;
    const items = done - this.startDone;
    if (seconds < this.settleSeconds || items <= 0) return { rate: null, secondsLeft: null };
    const rate = items / seconds;
    return { rate, secondsLeft: total === null ? null : Math.max(0, total - done) / rate };
  }

  /** Paused time is not work time: shift the phase's start by it. */
  skip(milliseconds: number): void {
    this.startAt += milliseconds;
  }
}

/** How often a worker posts progress: often enough for a smooth bar, rarely enough not to flood the page. */
export const WORKER_PROGRESS_INTERVAL_MS = 150;

/** At most one report per `intervalMs`, and always a final one (a phase's last line is never dropped). */
export class Throttle {
  private lastAt = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether a report made now goes out; if it does, the interval starts again. */
  due(final: boolean): boolean {
    const at = this.now();
    if (!final && at - this.lastAt < this.intervalMs) return false;
    this.lastAt = at;
    return true;
  }
}
