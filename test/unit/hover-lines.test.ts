/** The map's hover texts: broken into lines about 60 Latin characters wide, at spaces, wide scripts counted double, escaped per line. */
import { describe, expect, it } from 'vitest';
import { hoverLines } from '../../src/app/results/hover-lines';

describe('hoverLines', () => {
  it('breaks a Latin sentence at the last space of each 60-character line', () => {
    const text = 'The rebuilt pier was later damaged by Fay, but it was not destroyed, and it stands today.';
    // The 60th character falls in "destroyed,": line one ends at the space before that word.
    expect(hoverLines(text)).toBe('The rebuilt pier was later damaged by Fay, but it was not<br>destroyed, and it stands today.');
  });

  it('counts CJK characters twice: 30 to a line, broken anywhere when there is no space', () => {
    const text = '一二三四五六七八九十'.repeat(4);
    expect(hoverLines(text)).toBe(`${'一二三四五六七八九十'.repeat(3)}<br>一二三四五六七八九十`);
  });

  it('escapes markup line by line, so that no break splits an entity', () => {
    const text = `${'x'.repeat(59)}<b>`;
    expect(hoverLines(text)).toBe(`${'x'.repeat(59)}&lt;<br>b&gt;`);
  });

  it('leaves a short text whole', () => {
    expect(hoverLines('Wer baute den Pier?')).toBe('Wer baute den Pier?');
  });
});
