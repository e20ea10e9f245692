/**
 * Progress lines on stderr for long phases: done of total, rate and time left (the core's
 * RateMeter), at most one line per `intervalMs`, and always the line that ends a phase.
 */
import { describePace } from '../app/results/format';
import { RateMeter, type Pace } from '../core/progress';

export class ProgressLog {
  private readonly meter = new RateMeter();
  private lastLineAt = -Infinity;

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `done` of `total` `unit`s (texts, queries) in `phase`, with the rate measured here. */
  count(phase: string, unit: string, done: number, total: number): void {
    const at = this.now();
    const pace = this.meter.update(phase, done, total, at);
    this.line(at, done >= total, () => `${phase}: ${done} of ${total} ${unit}${done >= total ? ' done' : describePace(pace, unit)}`);
  }

  /** A line whose rate someone else measured (the training session's steps/s and time left). */
  paced(phase: string, text: string, pace: Pace, unit: string, final = false): void {
    this.line(this.now(), final, () => `${phase}: ${text}${describePace(pace, unit)}`);
  }

  private line(at: number, final: boolean, text: () => string): void {
    if (!final && at - this.lastLineAt < this.intervalMs) return;
    this.lastLineAt = at;
    this.write(text());
  }
}
