import type { ModelFolderIndex } from '../../core/encoders/model-folder';

const NO_MODELS: ModelFolderIndex = { models: [], unusable: [] };

/** The model folders the dev or preview server serves at /models/ (none on a plain static host). */
export function fetchModelFolderIndex(): Promise<ModelFolderIndex> {
  return fetch('/models/index.json')
    .then((response) => (response.ok ? (response.json() as Promise<ModelFolderIndex>) : NO_MODELS))
    .catch(() => NO_MODELS);
}
