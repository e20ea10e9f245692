/** The settings slice: what the user chose in every cell, and the choices a finished load or pick makes for them. */
import type { Action, AppState, SettingsSlice } from '../app-state';
import { normalizeLanguages } from '../settings';
import { isCurrent } from '../task';

export function reduceSettings(state: AppState, action: Action): Partial<SettingsSlice> {
  const { settings } = state;
  switch (action.type) {
    case 'fieldValidityChanged': {
      const { [action.field]: was, ...others } = state.invalidFields;
      if (was === (action.label ?? undefined)) return {};
      return { invalidFields: action.label === null ? others : { ...others, [action.field]: action.label } };
    }
    case 'folderIndexLoaded': {
      const names = action.index.folders.map((f) => f.name);
      const { folder } = settings.dataset;
      // Default to XQuAD-R, the benchmark the notebook is built around, when the folder has it.
      const chosen = folder && names.includes(folder) ? folder : names.includes('xquad-r') ? 'xquad-r' : (names[0] ?? null);
      return { settings: { ...settings, dataset: { ...settings.dataset, folder: chosen } } };
    }
    case 'datasetSettingsChanged':
      return { settings: { ...settings, dataset: { ...settings.dataset, ...action.patch } } };
    case 'datasetLoaded': {
      // A fresh pick (no selection until stored) becomes the remembered files once it has loaded, in full.
      const { source } = action.selection;
      if (!isCurrent(state.datasetTask, action.id) || state.datasetTask.job.selection !== null || source.kind !== 'files') return {};
      const { languages, articles } = loadedSelection(action.selection, action.dataset.available);
      return { settings: { ...settings, dataset: { ...settings.dataset, files: source.files, languages, articles } } };
    }
    case 'encoderChanged': {
      const { encoder } = action;
      const drafts = settings.encoderDrafts;
      const encoderDrafts = encoder.kind === 'lexical'
        ? { ...drafts, lexical: { dim: encoder.dim, minN: encoder.minN, maxN: encoder.maxN } }
        : encoder.kind === 'transformer' ? { ...drafts, transformer: encoder } : { ...drafts, files: encoder };
      return { settings: { ...settings, encoder, encoderDrafts } };
    }
    case 'encoderKindChosen': {
      const drafts = settings.encoderDrafts;
      const encoder = action.kind === 'lexical' ? { kind: 'lexical' as const, ...drafts.lexical } : drafts[action.kind];
      return { settings: { ...settings, encoder } };
    }
    case 'embeddingsStored': {
      const encoder = { kind: 'files' as const, set: action.set };
      return { settings: { ...settings, encoder, encoderDrafts: { ...settings.encoderDrafts, files: encoder } } };
    }
    case 'candidateTextChanged':
      return { settings: { ...settings, candidateText: action.candidateText } };
    case 'scoringChanged':
      return { settings: { ...settings, scoring: action.scoring } };
    case 'rankingChanged':
      return { settings: { ...settings, ranking: { ...settings.ranking, ...action.patch } } };
    case 'mixChanged':
      return { settings: { ...settings, mix: action.mix } };
    case 'trainSettingsChanged':
      return { settings: { ...settings, train: { ...settings.train, ...action.patch } } };
    case 'settingsReplaced':
      return { settings: action.settings };
    default:
      return {};
  }
}

/** A loaded selection spelled as datasetView will spell it, now that the source's languages are known for sure. */
export function loadedSelection<S extends { languages: string[] | null }>(selection: S, available: string[]): S {
  return { ...selection, languages: normalizeLanguages(selection.languages, available) };
}
