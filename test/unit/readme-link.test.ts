/**
 * The shared link shown in the README opens what the README says it opens: read in full (no
 * problems), the classroom subset with the hybrid mix and the Encoder cell and preset button hidden,
 * and it is exactly the link the notebook writes for those settings (so it cannot drift from the codec).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLink, writeLink } from '../../src/app/state/link';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README example link', () => {
  it('opens the classroom subset on the data folder without the Encoder cell and the preset button', () => {
    const shown = /^ {2}(http:\/\/localhost:5173\/#v=1&\S+)$/m.exec(README);
    expect(shown).not.toBeNull();
    const hash = new URL(shown![1]).hash;
    const link = readLink(hash)!;
    expect(link.problems).toEqual([]);
    expect(link.settings.dataset).toMatchObject({ source: 'folder', folder: 'xquad-r', languages: ['ar', 'de', 'en', 'es', 'ru', 'zh'], articles: 20 });
    expect(link.settings.encoder).toEqual({ kind: 'lexical', dim: 2048, minN: 2, maxN: 4 });
    expect(link.settings.mix).toMatchObject({ preset: 'hybrid', seed: 1 });
    expect(link.hide).toEqual(['encoder', 'classroom']);
    expect(writeLink(link.settings, link.hide)).toBe(hash);
  });
});
