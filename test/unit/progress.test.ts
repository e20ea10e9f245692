import { describe, expect, it } from 'vitest';
import { RateMeter, Throttle } from '../../src/core/progress';

describe('RateMeter', () => {
  it('measures from the first report of a phase, and estimates the time left', () => {
    const meter = new RateMeter(0.5);
    // 500 items came from a cache at once: the rate starts there, not at zero.
    expect(meter.update('encode', 500, 2500, 1000)).toEqual({ rate: null, secondsLeft: null });
    expect(meter.update('encode', 600, 2500, 1400)).toEqual({ rate: null, secondsLeft: null }); // 0.4 s: not settled
    expect(meter.update('encode', 700, 2500, 2000)).toEqual({ rate: 200, secondsLeft: 9 }); // 200 items in 1 s; 1800 left
  });

  it('starts again with a new phase and knows no time left without a total', () => {
    const meter = new RateMeter(0);
    meter.update('encode', 10, 10, 0);
    expect(meter.update('score', 0, null, 1000)).toEqual({ rate: null, secondsLeft: null });
    expect(meter.update('score', 50, null, 3000)).toEqual({ rate: 25, secondsLeft: null });
  });

  it('leaves skipped (paused) time out of the rate', () => {
    const meter = new RateMeter(0);
    meter.update('train', 0, 100, 0);
    meter.skip(4000);
    expect(meter.update('train', 10, 100, 5000)).toEqual({ rate: 10, secondsLeft: 9 });
  });
});

describe('Throttle', () => {
  it('lets one report through per interval, and every final one', () => {
    let now = 0;
    const throttle = new Throttle(150, () => now);
    const passed: number[] = [];
    for (now = 0; now <= 400; now += 50) if (throttle.due(false)) passed.push(now);
    // 0 goes out, then the first report 150 ms or more after the last one that went out.
    expect(passed).toEqual([0, 150, 300]);
    now = 310;
    expect(throttle.due(true)).toBe(true); // a phase's last report is never dropped
    now = 320;
    expect(throttle.due(false)).toBe(false); // ... and it restarts the interval
    now = 460;
    expect(throttle.due(false)).toBe(true);
  });
});
