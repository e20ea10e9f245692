/**
 * Progress lines on stderr for long phases: done of total, rate and time left (the core's
 * RateMeter), at most one line per `intervalMs`, and always the line that ends a phase.
 */
import { describePace } from '../core/format';
import { RateMeter, Throttle, type Pace } from '../core/progress';

export class ProgressLog {
  private readonly meter = new RateMeter();
  private readonly throttle: Throttle;

  constructor(
    private readonly write: (line: string) => void,
    intervalMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.throttle = new Throttle(intervalMs, now);
  }

  /** `done` of `total` `unit`s (texts, queries) in `phase`, with the rate measured here. */
  count(phase: string, unit: string, done: number, total: number): void {
    const at = this.now();
    const pace = this.meter.update(phase, done, total, at);
    this.line(done >= total, () => `${phase}: ${done} of ${total} ${unit}${done >= total ? ' done' : describePace(pace, unit)}`);
  }

  /** A line whose rate someone else measured (the training session's steps/s and time left). */
  paced(phase: string, text: string, pace: Pace, unit: string, final = false): void {
    this.line(final, () => `${phase}: ${text}${describePace(pace, unit)}`);
  }

  private line(final: boolean, text: () => string): void {
    if (this.throttle.due(final)) this.write(text());
  }
}
