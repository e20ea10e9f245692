import { plainLabels } from './plotly';

/** Characters about twice as wide as Latin ones (CJK, Hangul, full-width forms). */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
const HOVER_LINE_WIDTH = 60;

/**
 * Plotly's hover box does not wrap: lines about 60 Latin characters wide (a wide character counts
 * twice), broken at the line's last space when it lies in its second half; escaped line by line so
 * that no break splits an entity.
 */
export function hoverLines(text: string): string {
  const widthOf = (chars: string[]) => chars.reduce((sum, c) => sum + (WIDE.test(c) ? 2 : 1), 0);
  const lines: string[] = [];
  let line: string[] = [];
  let width = 0;
  for (const char of text) {
    line.push(char);
    width += WIDE.test(char) ? 2 : 1;
    if (width < HOVER_LINE_WIDTH) continue;
    const space = line.lastIndexOf(' ');
    const cut = space > line.length / 2 ? space : line.length;
    lines.push(line.slice(0, cut).join(''));
    line = line.slice(cut === space ? cut + 1 : cut);
    width = widthOf(line);
  }
  if (line.length > 0) lines.push(line.join(''));
  return plainLabels(lines).join('<br>');
}
