/** The sentence under Tables 1 and 2 (src/app/results/mix-findings.ts), against sentences written by hand. */
import { describe, expect, it } from 'vitest';
import { describeMixFindings, type MixFinding } from '../../src/app/results/mix-findings';

const delta = (d: number | null, p: number | null) => ({ a: 0.15, b: d === null ? null : 0.15 + d, delta: d, ci: null, p });
const finding = (label: string, cross: [number | null, number | null], mono: [number, number]): MixFinding => ({ label, cross: delta(...cross), mono: delta(...mono) });

describe('mix findings', () => {
  it('names the mixes that raise cross-lingual mAP, the range, which are significant, and the mono change', () => {
    const text = describeMixFindings([
      finding('X-X-mono', [-0.001, 0.6], [0.0004, 0.9]),
      finding('X-Y', [0.007, 0.002], [-0.002, 0.3]),
      finding('Hybrid', [0.006, 0.08], [0.001, 0.7]),
    ]);
    expect(text).toBe(
      'X-Y and Hybrid raise cross-lingual mAP by 0.006–0.007 over the frozen encoder, significant for X-Y (p = 0.002), not for Hybrid (p = 0.080); ' +
        'X-X-mono lowers it by 0.001, not significant (p = 0.600); monolingual mAP moves by −0.002 to +0.001, not significantly.',
    );
  });

  it('says when every mix is significant, and names a significant mono change', () => {
    const text = describeMixFindings([finding('X-Y', [0.02, 0.0002], [-0.01, 0.01]), finding('Hybrid', [0.02, 0.001], [0, 0.9])]);
    expect(text).toBe(
      'X-Y and Hybrid raise cross-lingual mAP by 0.020 over the frozen encoder, significant for all: X-Y (p = 0.0002) and Hybrid (p = 0.001); ' +
        'monolingual mAP moves by −0.010 to 0.000, significantly for X-Y (−0.010).',
    );
  });

  it('says nothing until every mix has been compared', () => {
    expect(describeMixFindings([finding('X-Y', [0.02, 0.01], [0, 0.5]), finding('Hybrid', [null, null], [0, 0.5])])).toBeNull();
    expect(describeMixFindings([])).toBeNull();
  });
});
