/** One colour per language, by its place in the dataset's language order (the preview's colour code). */
// Neighbouring places get far-apart hues, so that all 11 languages of XQuAD-R stay apart on the map;
// every colour is dark enough for white text on it.
const PALETTE = ['#1d4ed8', '#c2410c', '#15803d', '#a21caf', '#a16207', '#0f766e', '#b91c1c', '#4b5563', '#6d28d9', '#4d7c0f', '#be185d', '#0369a1'];

export function languageColour(languages: string[], lang: string): string {
  const index = languages.indexOf(lang);
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length];
}
