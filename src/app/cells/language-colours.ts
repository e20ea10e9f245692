/**
 * One colour per language, by its place in the dataset's language order: the one palette of every
 * language-coloured view (the map, the batch preview, the language chips).
 *
 * Eleven colours for XQuAD-R's eleven languages: Okabe and Ito's eight (black included) and three of
 * Paul Tol's (indigo, wine, brown), chosen so that every pair stays at least 16 CIE76 ΔE apart for
 * normal vision and for simulated deuteranopia, protanopia and tritanopia (the older palette had two
 * blues 0.8 apart for deuteranopes; test/unit/language-colours.test.ts checks this). Neighbouring
 * places get far-apart hues.
 */
export const LANGUAGE_PALETTE = [
  '#0072b2', // blue
  '#e69f00', // orange
  '#009e73', // bluish green
  '#cc79a7', // reddish purple
  '#000000', // black
  '#f0e442', // yellow
  '#332288', // indigo (Tol)
  '#d55e00', // vermillion
  '#56b4e9', // sky blue
  '#661100', // brown (Tol)
  '#882255', // wine (Tol)
] as const;

export function languageColour(languages: string[], lang: string): string {
  const index = languages.indexOf(lang);
  return LANGUAGE_PALETTE[(index < 0 ? 0 : index) % LANGUAGE_PALETTE.length];
}

/** Black or white, whichever reads better on `background` (#rrggbb): WCAG's contrast ratio. */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  const luminance = relativeLuminance(background);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}

function relativeLuminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The inline style of a language chip: its colour, with text that reads on it. */
export function languageChipStyle(languages: string[], lang: string): { background: string; color: string } {
  const background = languageColour(languages, lang);
  return { background, color: textColourOn(background) };
}
