/**
 * The Encoder cell's transformer side: where the model comes from (the curated catalog, any hub id,
 * a folder the dev server serves, a folder of yours), how it runs (weights, device, pooling,
 * prefixes), an explicit Load with download progress, and the models and embeddings this browser keeps.
 */
import { useState } from 'react';
import { MODEL_CATALOG, catalogModel, type CatalogModel } from '../../core/encoders/catalog';
import { DTYPE_FILES, DTYPES, type Dtype } from '../../core/encoders/model-folder';
import { dtypeFor } from '../../core/encoders/model-folder';
import { cachedModelName } from '../../../workers/encoder/protocol';
import { modelKey, sourceName, type ModelSource, type TransformerSpec } from '../../core/encoders/model-spec';
import { ErrorPanel } from '../components/ErrorPanel';
import { ProgressBar } from '../components/ProgressBar';
import { DropZone } from '../components/DropZone';
import { FolderPicker } from '../components/FolderPicker';
import type { DroppedFile } from '../datasets/dropped-files';
import { useNotebook } from '../notebook-context';
import { formatBytes, formatCount } from '../../core/format';
import { describeModelDevice } from '../../core/encoders/model-spec';
import { HUGGING_FACE_HOST } from '../state/settings';
import { taskError } from '../state/task';
// The settings table's text limit: a typed or pasted prefix can be no longer than a link or storage takes.
import { TEXT_LIMIT } from '../state/schema';

type SourceTab = 'catalog' | 'hub' | 'served' | 'picked';

const DTYPE_HINTS: Record<Dtype, string> = {
  fp32: 'full precision, largest download',
  fp16: 'half precision; WebGPU needs shader-f16',
  q8: '8-bit weights, a quarter of fp32',
  q4: '4-bit weights where the export has them',
};

export function TransformerPanel({ spec }: { spec: TransformerSpec }) {
  const { state, dispatch } = useNotebook();
  const [tab, setTab] = useState<SourceTab>(tabOf(spec.source));
  const change = (patch: Partial<TransformerSpec>) => dispatch({ type: 'encoderChanged', encoder: { ...spec, ...patch } });
  const chooseModel = (model: CatalogModel) =>
    change({
      source: { kind: 'hub', id: model.id, host: spec.source.kind === 'hub' ? spec.source.host : HUGGING_FACE_HOST },
      pooling: model.pooling,
      queryPrefix: model.queryPrefix,
      passagePrefix: model.passagePrefix,
    });

  return (
    <div className="transformer-panel">
      <div className="tabs" role="tablist" aria-label="Model source">
        {(
          [
            ['catalog', 'Catalog'],
            ['hub', 'Hub id'],
            ['served', 'Served folder'],
            ['picked', 'Your folder'],
          ] as const
        ).map(([value, label]) => (
          <button key={value} type="button" role="tab" aria-selected={tab === value} className={tab === value ? 'tab selected' : 'tab'} onClick={() => setTab(value)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'catalog' ? <CatalogModels spec={spec} onChoose={chooseModel} /> : null}
      {tab === 'hub' ? <HubModel spec={spec} onChange={change} /> : null}
      {tab === 'served' ? <ServedModels spec={spec} onChange={change} /> : null}
      {tab === 'picked' ? <PickedModel spec={spec} /> : null}
      {state.modelCacheError ? <ErrorPanel title="The model folder or the browser's model cache failed." error={state.modelCacheError} /> : null}
      <p className="small" data-testid="chosen-model">
        Chosen: <strong>{sourceName(spec.source)}</strong>
        {spec.source.kind === 'hub' && spec.source.host !== HUGGING_FACE_HOST ? <span className="muted"> from {spec.source.host}</span> : null}
      </p>
      <RunSettings spec={spec} available={availableWeights(state, spec.source)} onChange={change} />
      <ModelLoad spec={spec} />
      <ModelCache />
    </div>
  );
}

/** The weights the chosen folder has (served: the server's index; picked: the model cache); null for hub models. */
function availableWeights(state: ReturnType<typeof useNotebook>['state'], source: ModelSource): readonly Dtype[] | null {
  if (source.kind === 'served') return state.modelIndex?.models.find((model) => model.name === source.name)?.dtypes ?? null;
  if (source.kind === 'picked') return state.modelCache?.models.find((model) => model.model === cachedModelName(source))?.dtypes ?? null;
  return null;
}

function tabOf(source: ModelSource): SourceTab {
  if (source.kind === 'hub') return catalogModel(source.id) ? 'catalog' : 'hub';
  return source.kind;
}

function CatalogModels({ spec, onChoose }: { spec: TransformerSpec; onChoose: (model: CatalogModel) => void }) {
  const chosen = spec.source.kind === 'hub' ? spec.source.id : null;
  return (
    <table className="catalog-models">
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Size</th>
          <th scope="col">Languages</th>
          <th scope="col">Pooling, prefixes</th>
          <th scope="col">Download</th>
        </tr>
      </thead>
      <tbody>
        {MODEL_CATALOG.map((model) => (
          <tr key={model.id} className={chosen === model.id ? 'selected' : undefined}>
            <td>
              <label className="inline-option">
                <input type="radio" name="catalog-model" checked={chosen === model.id} onChange={() => onChoose(model)} />
                <span>
                  <strong>{model.label}</strong>
                  <span className="option-hint">{model.note}</span>
                </span>
              </label>
            </td>
            <td>
              {model.params}, {model.dim}-d
            </td>
            <td>{model.languages}</td>
            <td>
              {model.pooling}
              {model.queryPrefix ? (
                <>
                  , <code>{model.queryPrefix}</code> / <code>{model.passagePrefix}</code>
                </>
              ) : null}
            </td>
            <td className="muted small">
              fp32 ≈{model.sizeMb.fp32} MB, q8 ≈{model.sizeMb.q8} MB
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HubModel({ spec, onChange }: { spec: TransformerSpec; onChange: (patch: Partial<TransformerSpec>) => void }) {
  const current = spec.source.kind === 'hub' ? spec.source : { id: '', host: HUGGING_FACE_HOST };
  const [id, setId] = useState(current.id);
  const [host, setHost] = useState(current.host);
  const valid = /^[\w.-]+\/[\w.-]+$/.test(id.trim());
  const apply = () => {
    if (valid) onChange({ source: { kind: 'hub', id: id.trim(), host: host.trim() || HUGGING_FACE_HOST } });
  };
  return (
    <form
      className="field-row"
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
    >
      <label className="field wide">
        <span>Hub id</span>
        <input type="text" value={id} placeholder="owner/model, e.g. Xenova/LaBSE" onChange={(event) => setId(event.target.value)} aria-invalid={id !== '' && !valid} />
        <span className="muted small">a repository with a transformers.js export: config.json, tokenizer.json, onnx/model*.onnx</span>
      </label>
      <label className="field wide">
        <span>Hub address</span>
        <input type="url" value={host} onChange={(event) => setHost(event.target.value)} />
        <span className="muted small">huggingface.co or a mirror with the same layout</span>
      </label>
      <button type="submit" disabled={!valid}>
        Use this model
      </button>
    </form>
  );
}

function ServedModels({ spec, onChange }: { spec: TransformerSpec; onChange: (patch: Partial<TransformerSpec>) => void }) {
  const { state } = useNotebook();
  const { models = [], unusable = [] } = state.modelIndex ?? {};
  if (models.length === 0 && unusable.length === 0) {
    return (
      <p className="hint">
        The server serves no model folders. Put transformers.js model folders (config.json, tokenizer.json, onnx/model.onnx) in <code>models/</code> beside the
        app, or point <code>XLING_MODELS_DIR</code> at a folder of them, and restart <code>npm run dev</code>.
      </p>
    );
  }
  return (
    <fieldset>
      <legend>Folders in models/</legend>
      {models.map((model) => (
        <label key={model.name} className="inline-option">
          <input
            type="radio"
            name="served-model"
            checked={spec.source.kind === 'served' && spec.source.name === model.name}
            onChange={() => onChange({ source: { kind: 'served', name: model.name }, dtype: dtypeFor(spec.dtype, model.dtypes) })}
          />
          {model.name} <span className="muted small">{model.dtypes.join(', ')} · {formatBytes(model.files.reduce((sum, f) => sum + f.size, 0))}</span>
        </label>
      ))}
      {unusable.map((folder) => (
        <label key={folder.name} className="inline-option" data-testid="unusable-model">
          <input type="radio" name="served-model" disabled />
          <span>
            {folder.name} <span className="muted small">cannot be used: {folder.reason}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function PickedModel({ spec }: { spec: TransformerSpec }) {
  const { actions } = useNotebook();
  const stage = (files: DroppedFile[]) => {
    const root = files[0]?.name.split('/')[0];
    if (!root) return;
    const inFolder = files.filter((file) => file.name.startsWith(`${root}/`));
    actions.pickModelFolder(root, inFolder.map((file) => ({ path: file.name.slice(root.length + 1), blob: file.blob })));
  };
  return (
    <DropZone onFiles={stage} subfolders="all" testId="model-dropzone">
      <p>
        Drop a model folder here, or choose one: a transformers.js export with <code>config.json</code>, <code>tokenizer.json</code> and{' '}
        <code>onnx/model.onnx</code>. It is copied into this browser&apos;s model cache, so it is there after a reload.
      </p>
      <FolderPicker onFiles={stage} testId="pick-model-folder">
        Choose a model folder…
      </FolderPicker>
      {spec.source.kind === 'picked' ? <p className="small">Using your folder {spec.source.name}.</p> : null}
    </DropZone>
  );
}

function RunSettings({ spec, available, onChange }: { spec: TransformerSpec; available: readonly Dtype[] | null; onChange: (patch: Partial<TransformerSpec>) => void }) {
  const lacking = available !== null && !available.includes(spec.dtype);
  return (
    <div className="field-row model-settings">
      <label className="field">
        <span>Weights</span>
        <select value={spec.dtype} onChange={(event) => onChange({ dtype: event.target.value as Dtype })} aria-invalid={lacking}>
          {DTYPES.map((dtype) => (
            <option key={dtype} value={dtype} disabled={available !== null && !available.includes(dtype)}>
              {dtype}: {available !== null && !available.includes(dtype) ? `not in this folder (${DTYPE_FILES[dtype]})` : DTYPE_HINTS[dtype]}
            </option>
          ))}
        </select>
        {lacking ? (
          <span className="small" role="alert" data-testid="weights-note">
            This folder has no {spec.dtype} weights ({DTYPE_FILES[spec.dtype]}): choose {available.length ? available.join(' or ') : 'another folder'}.
          </span>
        ) : null}
      </label>
      <label className="field">
        <span>Device</span>
        <select value={spec.device} onChange={(event) => onChange({ device: event.target.value as TransformerSpec['device'] })}>
          <option value="auto">auto: WebGPU, else WASM</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WASM (CPU)</option>
        </select>
      </label>
      <label className="field">
        <span>Pooling</span>
        <select value={spec.pooling} onChange={(event) => onChange({ pooling: event.target.value as TransformerSpec['pooling'] })}>
          <option value="mean">mean over tokens</option>
          <option value="cls">first token (CLS)</option>
        </select>
      </label>
      <label className="field">
        <span>Query prefix</span>
        <input type="text" value={spec.queryPrefix} placeholder="none" maxLength={TEXT_LIMIT} onChange={(event) => onChange({ queryPrefix: event.target.value })} />
      </label>
      <label className="field">
        <span>Passage prefix</span>
        <input type="text" value={spec.passagePrefix} placeholder="none" maxLength={TEXT_LIMIT} onChange={(event) => onChange({ passagePrefix: event.target.value })} />
      </label>
    </div>
  );
}

function ModelLoad({ spec }: { spec: TransformerSpec }) {
  const { state, actions } = useNotebook();
  const { model } = state;
  const current = model.status !== 'idle' && modelKey(model.job.spec) === modelKey(spec) && model.job.spec.device === spec.device;
  const error = current ? taskError(model) : null;
  return (
    <div className="model-load">
      <div className="actions">
        <button type="button" onClick={actions.loadModel} disabled={model.status === 'running'}>
          Load model
        </button>
        {model.status === 'running' ? (
          <button type="button" onClick={actions.cancelModelLoad}>
            Cancel
          </button>
        ) : null}
        <span className="hint">Optional: Evaluate and Train load it too. Loading first shows the download and checks the model.</span>
      </div>
      {model.status === 'running' ? (
        <ProgressBar
          label={model.progress.total ? `Downloading ${model.progress.file ?? ''}` : 'Starting the model'}
          done={model.progress.loaded}
          total={model.progress.total || null}
          detail={model.progress.total ? `${formatBytes(model.progress.loaded)} of ${formatBytes(model.progress.total)}` : undefined}
        />
      ) : null}
      {current && model.status === 'done' ? (
        <p className="small" data-testid="model-ready">
          Ready: <strong>{model.result.name}</strong> · {model.result.dtype} · {describeModelDevice(model.result)} · up to {model.result.maxTokens} tokens
        </p>
      ) : null}
      {error ? <ErrorPanel title="The model could not be loaded." error={error} /> : null}
    </div>
  );
}

function ModelCache() {
  const { state, actions } = useNotebook();
  const cache = state.modelCache;
  return (
    <details className="model-cache" data-testid="model-cache">
      <summary>
        Kept in this browser: {cache ? `${cache.models.length} model${cache.models.length === 1 ? '' : 's'}, ${formatCount(cache.embeddings)} embeddings` : '…'}
      </summary>
      {cache && cache.models.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Files</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cache.models.map((model) => (
              <tr key={model.model}>
                <td className="mono">{model.model}</td>
                <td>{model.files}</td>
                <td>{formatBytes(model.bytes)}</td>
                <td>
                  <button type="button" onClick={() => actions.clearModelCache(model.model)} aria-label={`Remove ${model.model} from this browser`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No model files are cached yet.</p>
      )}
      <div className="actions">
        <button type="button" onClick={actions.refreshModelCache}>
          Refresh
        </button>
        <button type="button" onClick={() => actions.clearModelCache(null)}>
          Clear all models and embeddings
        </button>
      </div>
    </details>
  );
}
