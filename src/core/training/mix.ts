/**
 * Batch mixes (design.md, "Batch mixes (training)"): weights over the three batch types, and the
 * named presets of LAReQA (arXiv 2004.05484) and of the hybrid paper (arXiv 2408.10536).
 *
 * - `mono`  (X-X-mono): the whole batch in one language, the language drawn by the language weights.
 * - `mixed` (X-X): every pair in one language (question and answer alike), languages drawn per pair.
 * - `cross` (X-Y): every pair crosses languages, question language a != answer language b.
 */

export const BATCH_TYPES = ['mono', 'mixed', 'cross'] as const;
export type BatchType = (typeof BATCH_TYPES)[number];

/** Non-negative weights over batch types; they need not sum to 1 (they are normalised when used). */
export type BatchMix = Record<BatchType, number>;

/** How the language of a pair (or of a mono batch) is drawn among the training languages. */
export type LanguageWeighting = 'uniform' | 'size';

export type MixPresetName = 'en-en' | 'x-x' | 'x-x-mono' | 'x-y' | 'hybrid';

export interface MixPreset {
  name: MixPresetName;
  /** How the UI and docs call it. */
  label: string;
  description: string;
  mix: BatchMix;
  /** Train on these languages only (En-En); absent: every language not left out. */
  trainLanguages?: string[];
}

export const MIX_PRESETS: Readonly<Record<MixPresetName, MixPreset>> = {
  'en-en': {
    name: 'en-en',
    label: 'En-En',
    description: 'LAReQA En-En: English questions and English answers only.',
    mix: { mono: 1, mixed: 0, cross: 0 },
    trainLanguages: ['en'],
  },
  'x-x': {
    name: 'x-x',
    label: 'X-X',
    description: 'LAReQA X-X: every pair within one language, languages mixed inside a batch.',
    mix: { mono: 0, mixed: 1, cross: 0 },
  },
  'x-x-mono': {
    name: 'x-x-mono',
    label: 'X-X-mono',
    description: 'LAReQA X-X-mono: every batch in a single language.',
    mix: { mono: 1, mixed: 0, cross: 0 },
  },
  'x-y': {
    name: 'x-y',
    label: 'X-Y',
    description: 'LAReQA X-Y: question and answer in different languages in every pair.',
    mix: { mono: 0, mixed: 0, cross: 1 },
  },
  hybrid: {
    name: 'hybrid',
    label: 'Hybrid',
    description: 'Elmahdy et al.: a monolingual batch with probability 0.5, else a cross-lingual one.',
    mix: { mono: 0.5, mixed: 0, cross: 0.5 },
  },
};

/** Weights scaled to sum to 1; throws on a negative, non-finite or all-zero mix. */
export function normaliseMix(mix: BatchMix): BatchMix {
  let total = 0;
  for (const type of BATCH_TYPES) {
    const w = mix[type];
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`Batch mix weight of '${type}' must be a non-negative number, got ${w}`);
    total += w;
  }
  if (total <= 0) throw new RangeError('Batch mix needs at least one positive weight (mono, mixed or cross)');
  return { mono: mix.mono / total, mixed: mix.mixed / total, cross: mix.cross / total };
}

/**
 * Parses the command line's `--mix`: a preset name (`hybrid`, `x-y`, ...) or `type=weight` pairs
 * separated by commas (`mono=0.5,cross=0.5`); types left out weigh 0. Returns the normalised mix and
 * the preset's language restriction when a preset was named.
 */
export function parseMix(text: string): { mix: BatchMix; preset?: MixPresetName; trainLanguages?: string[] } {
  const trimmed = text.trim().toLowerCase();
  if (trimmed in MIX_PRESETS) {
    const preset = MIX_PRESETS[trimmed as MixPresetName];
    return { mix: normaliseMix(preset.mix), preset: preset.name, trainLanguages: preset.trainLanguages };
  }
  const mix: BatchMix = { mono: 0, mixed: 0, cross: 0 };
  const seen = new Set<string>();
  for (const part of trimmed.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z-]+)\s*=\s*([0-9.eE+-]+)$/.exec(part);
    const type = match?.[1] as BatchType | undefined;
    if (!match || !type || !(BATCH_TYPES as readonly string[]).includes(type)) {
      throw new RangeError(
        `Cannot read batch mix '${text}': expected a preset (${Object.keys(MIX_PRESETS).join(', ')}) ` +
          `or weights like mono=0.5,cross=0.5 over ${BATCH_TYPES.join(', ')}`,
      );
    }
    if (seen.has(type)) throw new RangeError(`Batch mix '${text}' names '${type}' twice`);
    seen.add(type);
    mix[type] = Number(match[2]);
  }
  return { mix: normaliseMix(mix) };
}

/** `mono=0.5,cross=0.5`: the canonical text of a mix (zero weights left out), for reports and logs. */
export function formatMix(mix: BatchMix): string {
  const m = normaliseMix(mix);
  return BATCH_TYPES.filter((t) => m[t] > 0).map((t) => `${t}=${round(m[t])}`).join(',');
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
