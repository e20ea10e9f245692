/** One colour per language, by its place in the dataset's language order (the preview's colour code). */
const PALETTE = ['#2f5bd3', '#c2410c', '#15803d', '#a21caf', '#b45309', '#0e7490', '#be123c', '#4d7c0f', '#6d28d9', '#0f766e', '#9f1239', '#1d4ed8'];

export function languageColour(languages: string[], lang: string): string {
  const index = languages.indexOf(lang);
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length];
}
