/**
 * The language palette: eleven colours that stay apart for normal vision and the three colour-vision
 * deficiencies (Machado, Oliveira and Fernandes 2009, severity 1, applied in linear RGB), by CIE76 ΔE
 * in CIELAB computed here from the sRGB definition; and chip text that reads on every colour (WCAG).
 */
import { describe, expect, it } from 'vitest';
import { LANGUAGE_PALETTE, languageChipStyle, languageColour } from '../../src/app/cells/language-colours';

const SIMULATIONS: Record<string, number[][] | null> = {
  normal: null,
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

function linearRgb(hex: string): number[] {
  return [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
}

function lab([r, g, b]: number[]): number[] {
  const xyz = [0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b, 0.0193 * r + 0.1192 * g + 0.9505 * b];
  const white = [0.95047, 1, 1.08883];
  const [fx, fy, fz] = xyz.map((v, i) => {
    const t = v / white[i];
    return t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29;
  });
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function seen(hex: string, matrix: number[][] | null): number[] {
  const rgb = linearRgb(hex);
  if (!matrix) return lab(rgb);
  return lab(matrix.map((row) => Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]))));
}

function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b2] = linearRgb(hex);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const XQUAD_R = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'];

describe('language palette', () => {
  it('gives the eleven XQuAD-R languages eleven different colours', () => {
    expect(new Set(XQUAD_R.map((lang) => languageColour(XQUAD_R, lang))).size).toBe(11);
  });

  for (const [vision, matrix] of Object.entries(SIMULATIONS)) {
    it(`keeps every pair at least 15 ΔE apart (${vision})`, () => {
      let closest = { distance: Infinity, pair: '' };
      LANGUAGE_PALETTE.forEach((a, i) =>
        LANGUAGE_PALETTE.slice(i + 1).forEach((b) => {
          const distance = Math.hypot(...seen(a, matrix).map((v, k) => v - seen(b, matrix)[k]));
          if (distance < closest.distance) closest = { distance, pair: `${a} ${b}` };
        }),
      );
      expect(closest.distance, closest.pair).toBeGreaterThanOrEqual(15);
    });
  }

  it('writes chip text in black or white, whichever has a contrast of at least 4.5', () => {
    for (const lang of XQUAD_R) {
      const { background, color } = languageChipStyle(XQUAD_R, lang);
      expect(contrast(background, color), `${lang} ${background} with ${color}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});
