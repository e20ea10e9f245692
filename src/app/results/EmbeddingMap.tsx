/**
 * The map of the embedding space (Results cell): a UMAP layout of a sample of the run's queries and
 * candidates, coloured by language, for the frozen encoder and, for a trained run, with its head
 * side by side; a language legend that highlights one language in both; and beside it the number that
 * says the same, the own-language share of each point's nearest neighbours.
 */
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import type { EmbeddingMap as ComputedMap, MapProgress, MapView } from '../../../workers/lab/protocol';
import { languageColour } from '../cells/language-colours';
import { ErrorPanel } from '../components/ErrorPanel';
import { NumberField } from '../components/NumberField';
import { ProgressBar } from '../components/ProgressBar';
import { useNotebook } from '../notebook-context';
import { MAP_SIZE_FIELD, MAP_SIZE_LIMITS, mapUnavailable } from '../state/map';
import { invalidFieldsBlocker } from '../state/selectors';
import type { Run } from '../state/runs';
import { CopyTable } from './CopyTable';
import { describePace, formatMetric, formatSeconds } from '../../core/format';
import { MetricTerm } from './MetricTerm';
import { hoverLines } from './hover-lines';
import { PlotlyChart, plainLabels } from './plotly';

const VIEW_NAMES: Record<MapView['kind'], string> = { encoder: 'frozen encoder', head: 'encoder + trained head' };
/** The share table's narrower column heads, so that the maps keep the width. */
const VIEW_COLUMNS: Record<MapView['kind'], string> = { encoder: 'Frozen', head: 'Trained head' };

export function EmbeddingMapSection({ run }: { run: Run }) {
  const { state, dispatch, actions } = useNotebook();
  const { size, task, highlighted } = state.map;
  const unavailable = invalidFieldsBlocker(state) ?? mapUnavailable(run, state.loaded?.selection ?? null);
  const running = task.status === 'running';
  const shown = task.status === 'done' && task.job.runId === run.id ? task : null;
  return (
    <section className="embedding-map" aria-labelledby="embedding-map-title" data-testid="embedding-map">
      <h3 id="embedding-map-title">Map of the embedding space</h3>
      <p className="muted small">
        A sample of Run {run.number}'s questions (●) and candidate sentences (◆), the same number from every language, placed by UMAP so that
        near neighbours in the embedding space stay near{run.kind === 'trained' ? '; left the frozen encoder, right with the trained head, on the evaluation side of its split' : ''}.
        Islands of one colour are languages the encoder keeps apart; mixed colours mean translations sit together.
      </p>
      <div className="actions map-controls">
        <NumberField
          label="Points in the sample"
          value={size}
          step={50}
          setting={MAP_SIZE_FIELD}
          hint={`${MAP_SIZE_LIMITS.min} to ${MAP_SIZE_LIMITS.max}; a thousand take a second or two`}
          onChange={(value) => dispatch({ type: 'mapSizeChanged', size: value })}
        />
        {/* aria-disabled while running keeps keyboard focus on the button (drawMap ignores it then). */}
        <button type="button" className="primary" disabled={unavailable !== null} aria-disabled={running} onClick={() => actions.drawMap(run)} data-testid="draw-map">
          {shown ? 'Draw again' : 'Draw map'}
        </button>
        {running ? (
          <button type="button" onClick={actions.cancelMap}>
            Cancel
          </button>
        ) : null}
      </div>
      {unavailable ? <p className="hint">{unavailable}</p> : null}
      {running && task.job.runId === run.id ? <MapProgressBar progress={task.progress} /> : null}
      {(task.status === 'failed' || task.status === 'interrupted') && task.job.runId === run.id ? <ErrorPanel title="The map could not be drawn." error={task.error} /> : null}
      {shown ? <DrawnMap run={run} map={shown.result} highlighted={highlighted} /> : null}
    </section>
  );
}

function MapProgressBar({ progress }: { progress: MapProgress | null }) {
  const view = progress?.view ? ` (${VIEW_NAMES[progress.view]})` : '';
  const labels: Record<MapProgress['phase'], [string, string]> = {
    'download-model': ['Downloading the model', 'bytes'],
    encode: ['Encoding the texts', 'texts'],
    neighbours: [`Nearest neighbours${view}`, 'points'],
    layout: [`Layout${view}`, 'epochs'],
  };
  const [label, unit] = progress ? labels[progress.phase] : ['Starting', ''];
  return (
    <div data-testid="map-progress">
      <ProgressBar label={label} done={progress?.done ?? 0} total={progress?.total ?? null} detail={describePace(progress?.pace, unit)} />
    </div>
  );
}

function DrawnMap({ run, map, highlighted }: { run: Run; map: ComputedMap; highlighted: string | null }) {
  const { dispatch } = useNotebook();
  return (
    <>
      <div className="map-legend" role="group" aria-label="Highlight a language">
        {map.languages.map((language) => (
          <button
            key={language}
            type="button"
            className="map-language"
            aria-pressed={highlighted === language}
            onClick={() => dispatch({ type: 'mapLanguageHighlighted', language })}
            data-language={language}
          >
            <span className="swatch" style={{ background: languageColour(map.languages, language) }} aria-hidden="true" />
            {language}
          </button>
        ))}
        <span className="muted small">Click a language to highlight it; hover a point for its text.</span>
      </div>
      <div className="map-grid">
        <div className={map.views.length > 1 ? 'chart-pair' : undefined}>
          {map.views.map((view) => (
            <MapChart key={view.kind} run={run} map={map} view={view} highlighted={highlighted} />
          ))}
        </div>
        <CopyTable name="the own-language neighbours">
          <ShareTable map={map} />
        </CopyTable>
      </div>
      <p className="muted small" data-testid="map-timings">
        {map.points.length} points, {map.neighbours} neighbours each; neighbours on {map.scoringBackend}, layout by UMAP (umap-js):{' '}
        {map.views.map((view) => `${VIEW_NAMES[view.kind]} ${formatSeconds(view.seconds)}`).join(', ')}. The axes of a UMAP map have no meaning; distances
        between far-apart islands are not to scale.
      </p>
    </>
  );
}

function MapChart({ run, map, view, highlighted }: { run: Run; map: ComputedMap; view: MapView; highlighted: string | null }) {
  const title = `Run ${run.number}: ${VIEW_NAMES[view.kind]}, map of the embedding space`;
  const { data, layout } = useMemo(() => {
    // The highlighted language is drawn last, on top of the others.
    const order = [...map.languages].sort((a, b) => Number(a === highlighted) - Number(b === highlighted));
    const data: Data[] = order.map((language) => {
      const indices = map.points.flatMap((point, i) => (point.language === language ? [i] : []));
      return {
        type: 'scatter',
        mode: 'markers',
        name: language,
        x: indices.map((i) => view.layout[2 * i]),
        y: indices.map((i) => view.layout[2 * i + 1]),
        text: indices.map((i) => hoverLines(map.points[i].text)),
        customdata: indices.map((i) => map.points[i].kind),
        hovertemplate: `<b>${plainLabels([language])[0]}</b> %{customdata}<br>%{text}<extra></extra>`,
        marker: {
          color: languageColour(map.languages, language),
          size: 6,
          // A thin outline keeps the light colours (yellow, sky blue) visible on the white ground.
          line: { color: 'rgba(0, 0, 0, 0.35)', width: 0.5 },
          symbol: indices.map((i) => (map.points[i].kind === 'query' ? 'circle' : 'diamond')),
          opacity: highlighted === null ? 0.75 : language === highlighted ? 0.95 : 0.08,
        },
      };
    });
    const hiddenAxis = { showticklabels: false, showgrid: false, zeroline: false, title: { text: '' } };
    const layout: Partial<Layout> = {
      title: { text: VIEW_NAMES[view.kind], font: { size: 14 }, x: 0, xanchor: 'left' },
      height: 420,
      margin: { l: 8, r: 8, t: 40, b: 8 },
      showlegend: false,
      hovermode: 'closest',
      xaxis: hiddenAxis,
      yaxis: { ...hiddenAxis, scaleanchor: 'x' },
    };
    return { data, layout };
  }, [map, view, highlighted]);
  return <PlotlyChart data={data} layout={layout} label={title} testId={`map-${view.kind}`} />;
}

function ShareTable({ map }: { map: ComputedMap }) {
  const twoViews = map.views.length > 1;
  return (
    <table className="summary" data-testid="map-share-table">
      <caption className="small muted">
        <MetricTerm metric="own_neighbours">Own-language neighbours</MetricTerm> (of {map.neighbours}, on the map's sample)
      </caption>
      <thead>
        <tr>
          <th scope="col">Language</th>
          {map.views.map((view) => (
            <th key={view.kind} scope="col" className="num">
              {twoViews ? VIEW_COLUMNS[view.kind] : 'Share'}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr className="total">
          <th scope="row">all</th>
          {map.views.map((view) => (
            <td key={view.kind} className="num" data-share={view.kind}>
              {formatMetric(view.share.overall)}
            </td>
          ))}
        </tr>
        {map.languages.map((language) => (
          <tr key={language}>
            <th scope="row">{language}</th>
            {map.views.map((view) => (
              <td key={view.kind} className="num" data-share={view.kind}>
                {formatMetric(view.share.byLanguage[language])}
              </td>
            ))}
          </tr>
        ))}
        <tr className="muted">
          <th scope="row">language-blind</th>
          {map.views.map((view) => (
            <td key={view.kind} className="num" data-share={view.kind}>
              {formatMetric(view.share.languageBlind)}
            </td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}
