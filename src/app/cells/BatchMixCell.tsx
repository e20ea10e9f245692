import { BATCH_TYPES, MIX_PRESETS, type BatchType, type MixPresetName } from '../../core/training';
import { STATISTICS_BATCHES, type MixPreview } from '../../../workers/lab/protocol';
import { Cell, type CellStatus } from '../components/Cell';
import { ErrorPanel } from '../components/ErrorPanel';
import { NumberField } from '../components/NumberField';
import { useNotebook } from '../notebook-context';
import { formatMetric } from '../../core/format';
import type { AppState } from '../state/app-state';
import { SETTINGS_TABLE, WEIGHT_FIELD, type MixSettings } from '../state/settings';
import { withPreset } from '../state/training';
import { languageChipStyle } from './language-colours';

const BATCH_TYPE_LABELS: Record<BatchType, { label: string; hint: string }> = {
  mono: { label: 'Mono', hint: 'X-X-mono' },
  mixed: { label: 'Mixed', hint: 'X-X' },
  cross: { label: 'Cross', hint: 'X-Y' },
};

const PRESET_NAMES = Object.keys(MIX_PRESETS) as MixPresetName[];

export function BatchMixCell() {
  const { state, dispatch } = useNotebook();
  const { mix } = state.settings;
  const training = state.training.status === 'running';
  const languages = state.loaded?.dataset.summary.languages.map((l) => l.lang) ?? [];
  const change = (next: MixSettings) => dispatch({ type: 'mixChanged', mix: next });
  const changeWeight = (type: BatchType, value: number) => change({ ...mix, preset: null, weights: { ...mix.weights, [type]: value } });
  const totalWeight = mix.weights.mono + mix.weights.mixed + mix.weights.cross;

  return (
    <Cell index={4} title="Batch mix" id="batch-mix" status={previewStatus(state)}>
      <fieldset className="segmented" disabled={training}>
        <legend>Preset</legend>
        {PRESET_NAMES.map((name) => (
          <label key={name} className={mix.preset === name ? 'selected' : undefined} title={MIX_PRESETS[name].description}>
            <input type="radio" name="mix-preset" value={name} checked={mix.preset === name} onChange={() => change(withPreset(mix, name))} />
            {MIX_PRESETS[name].label}
          </label>
        ))}
      </fieldset>
      <p className="muted small" data-testid="mix-description">
        {mix.preset ? MIX_PRESETS[mix.preset].description : 'Custom weights.'}
      </p>

      <div className="mix-grid">
        <fieldset disabled={training}>
          <legend>Batch types (weights)</legend>
          <p className="muted small">Mono: one language per batch. Mixed: each pair in one language. Cross: every pair crosses languages.</p>
          <div className="field-row">
            {BATCH_TYPES.map((type) => (
              <NumberField
                key={type}
                label={BATCH_TYPE_LABELS[type].label}
                value={mix.weights[type]}
                step={0.1}
                setting={WEIGHT_FIELD}
                hint={BATCH_TYPE_LABELS[type].hint}
                onChange={(value) => changeWeight(type, value)}
              />
            ))}
          </div>
          {totalWeight <= 0 ? <p className="error-text small">Give at least one batch type a positive weight.</p> : null}
        </fieldset>

        <fieldset disabled={training}>
          <legend>Batches</legend>
          <div className="field-row">
            <NumberField label="Batch size" value={mix.batchSize} step={1} setting={SETTINGS_TABLE.mix.batchSize} hint="pairs" onChange={(batchSize) => change({ ...mix, batchSize })} />
            <NumberField label="Seed" value={mix.seed} step={1} setting={SETTINGS_TABLE.mix.seed} hint="split, batches, head" onChange={(seed) => change({ ...mix, seed })} />
            <NumberField
              label="Training articles"
              value={mix.trainFraction}
              step={0.05}
              setting={SETTINGS_TABLE.mix.trainFraction}
              hint="fraction, 0 to 1"
              onChange={(trainFraction) => change({ ...mix, trainFraction })}
            />
          </div>
          <div className="inline-options">
            <span>Language weights:</span>
            {(['uniform', 'size'] as const).map((weighting) => (
              <label key={weighting} className="inline-option">
                <input
                  type="radio"
                  name="language-weighting"
                  value={weighting}
                  checked={mix.languageWeighting === weighting}
                  onChange={() => change({ ...mix, languageWeighting: weighting })}
                />
                {weighting === 'uniform' ? 'uniform' : 'by data size'}
              </label>
            ))}
          </div>
        </fieldset>

        {languages.length > 0 ? (
          <fieldset disabled={training}>
            <legend>Left out of training (zero-shot)</legend>
            <div className="language-checks">
              {languages.map((lang) => (
                <label key={lang} className="inline-option">
                  <input
                    type="checkbox"
                    value={lang}
                    checked={mix.excludeLanguages.includes(lang)}
                    onChange={(event) =>
                      change({
                        ...mix,
                        excludeLanguages: event.target.checked ? [...mix.excludeLanguages, lang] : mix.excludeLanguages.filter((l) => l !== lang),
                      })
                    }
                  />
                  <span className="lang-chip" style={languageChipStyle(languages, lang)}>
                    {lang}
                  </span>
                </label>
              ))}
            </div>
            {mix.preset === 'en-en' ? <p className="muted small">En-En trains on English only.</p> : null}
          </fieldset>
        ) : null}
      </div>

      {!state.loaded ? <p className="hint">Load a dataset to see the split and a preview of the batches.</p> : null}
      {state.mixPreview.error ? <ErrorPanel title="The preview failed." error={state.mixPreview.error} /> : null}
      {state.loaded && state.mixPreview.preview ? <Preview preview={state.mixPreview.preview} languages={languages} /> : null}
    </Cell>
  );
}

function previewStatus(state: AppState): CellStatus | undefined {
  if (!state.loaded) return undefined;
  if (state.mixPreview.error) return { tone: 'error', text: 'invalid' };
  if (state.mixPreview.task.status === 'running') return { tone: 'busy', text: 'sampling…' };
  return state.mixPreview.preview ? { tone: 'ready', text: 'previewed' } : undefined;
}

function Preview({ preview, languages }: { preview: MixPreview; languages: string[] }) {
  const { split, statistics } = preview;
  const side = (name: string, s: { articles: unknown[]; question_ids: string[] }) =>
    `${name} ${s.articles.length} article${s.articles.length === 1 ? '' : 's'} / ${s.question_ids.length} question${s.question_ids.length === 1 ? '' : 's'}`;
  const chip = (lang: string) => (
    <span className="lang-chip" style={languageChipStyle(languages, lang)}>
      {lang}
    </span>
  );
  return (
    <>
      <p className="split-line" data-testid="split-summary">
        <strong>Split</strong> ({split.spec}, seed {split.seed}): {side('train', split.train)} · {side('validation', split.validation)} ·{' '}
        {side('evaluation', split.evaluation)}. No article is on two sides; the evaluation side is what a trained run reports.
      </p>
      <div className="preview-grid">
        <div>
          <h3 className="subhead">First batches, as training draws them</h3>
          {preview.batches.map((batch, index) => (
            <div key={index} className="preview-batch" data-testid="preview-batch" data-type={batch.type}>
              <p className="small">
                Batch {index + 1}: <strong>{batch.type}</strong>, {batch.size} pairs
                {batch.size > batch.pairs.length ? ` (first ${batch.pairs.length} shown)` : ''}
              </p>
              <ul className="pairs">
                {batch.pairs.map((pair) => (
                  <li key={pair.id} data-a={pair.a} data-b={pair.b}>
                    {chip(pair.a)}
                    <span className="pair-text" title={pair.question}>
                      {pair.question}
                    </span>
                    <span aria-hidden="true">→</span>
                    {chip(pair.b)}
                    <span className="pair-text" title={pair.answer}>
                      {pair.answer}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
        <div>
          <h3 className="subhead">Realised over {STATISTICS_BATCHES} batches</h3>
          <table className="proportions" data-testid="batch-type-proportions">
            <thead>
              <tr>
                <th scope="col">Batch type</th>
                <th scope="col" className="num">Share</th>
                <th scope="col">
                  <span className="visually-hidden">Bar</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {BATCH_TYPES.map((type) => (
                <ProportionRow key={type} label={BATCH_TYPE_LABELS[type].label} testValue={type} value={statistics.batchTypes[type]} />
              ))}
              <ProportionRow label="Pairs crossing languages" testValue="cross-pairs" value={statistics.crossPairs} />
            </tbody>
          </table>
          <table className="proportions" data-testid="language-proportions">
            <thead>
              <tr>
                <th scope="col">Language</th>
                <th scope="col" className="num">Questions</th>
                <th scope="col" className="num">Answers</th>
                <th scope="col" className="num">Target</th>
              </tr>
            </thead>
            <tbody>
              {languages.map((lang) => (
                <tr key={lang} data-lang={lang}>
                  <td>{chip(lang)}</td>
                  <td className="num" title={String(statistics.questionLanguages[lang] ?? 0)}>
                    {formatMetric(statistics.questionLanguages[lang] ?? 0)}
                  </td>
                  <td className="num" title={String(statistics.answerLanguages[lang] ?? 0)}>
                    {formatMetric(statistics.answerLanguages[lang] ?? 0)}
                  </td>
                  <td className="num muted">{lang in statistics.targetLanguageWeights ? formatMetric(statistics.targetLanguageWeights[lang]) : 'left out'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">Mean batch size {statistics.meanBatchSize.toFixed(1)} pairs.</p>
        </div>
      </div>
    </>
  );
}

function ProportionRow({ label, testValue, value }: { label: string; testValue: string; value: number }) {
  return (
    <tr data-share={testValue}>
      <td>{label}</td>
      <td className="num" title={String(value)}>
        {formatMetric(value)}
      </td>
      <td className="bar-cell">
        <span className="bar" style={{ width: `${(value * 100).toFixed(1)}%` }} />
      </td>
    </tr>
  );
}
