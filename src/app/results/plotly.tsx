/**
 * plotly.js is large (several MB), so it loads after the notebook is interactive (when the page is idle, or on first use).
 * `PlotlyChart` draws into a div whose `.data` holds the traces (plotly's own convention, which the
 * browser tests read), with buttons that download the figure as PNG (twice the screen's resolution)
 * or SVG, named after its title.
 */
import { useEffect, useRef, useState } from 'react';
import type { Config, Data, Layout } from 'plotly.js-dist-min';

type PlotlyModule = typeof import('plotly.js-dist-min');

let plotly: Promise<PlotlyModule> | undefined;

function loadPlotly(): Promise<PlotlyModule> {
  plotly ??= import('plotly.js-dist-min').then((module) => ('default' in module ? (module.default as PlotlyModule) : module));
  return plotly;
}

/**
 * Starts loading plotly now (the page idle after its first render, or an Evaluate click), so that it
 * is not parsed between an evaluation's result and its first heatmap. A failure shows where a chart is drawn.
 */
export function preloadPlotly(): void {
  loadPlotly().catch(() => undefined);
}

/**
 * Plotly reads some HTML in labels (<a href>, <b>, <br>); text from data goes in with &, < and >
 * as entities, which it shows as typed, never as markup.
 */
export function plainLabels(texts: string[]): string[] {
  return texts.map((text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

const CONFIG: Partial<Config> = { displayModeBar: false, responsive: true };

/** The page's font stack, the bundled Thai and Devanagari included: the map's hover texts are sentences in any language. */
const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans Thai", "Noto Sans Devanagari", sans-serif';

const BASE_LAYOUT: Partial<Layout> = {
  font: { family: FONT_FAMILY, size: 12, color: '#1f2933' },
  paper_bgcolor: 'rgba(0,0,0,0)',
  plot_bgcolor: 'rgba(0,0,0,0)',
  // Plotly's hover labels default to Arial, not to the layout's font.
  hoverlabel: { bgcolor: '#ffffff', bordercolor: '#c3cad4', font: { family: FONT_FAMILY, color: '#1f2933' } },
};

/** `onSettled`: called once the chart is drawn or could not be (the Results cell draws the rest after its heatmap). */
export function PlotlyChart({ data, layout, label, testId, onSettled }: { data: Data[]; layout: Partial<Layout>; label: string; testId: string; onSettled?: () => void }) {
  const element = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    loadPlotly().then(
      (module) => {
        if (!live || !element.current) return;
        return module.react(element.current, data, { ...BASE_LAYOUT, ...layout }, CONFIG).then(() => {
          if (!live) return;
          setReady(true);
          onSettled?.();
        });
      },
      (error: unknown) => {
        if (!live) return;
        setFailure(error instanceof Error ? error.message : String(error));
        onSettled?.();
      },
    );
    return () => {
      live = false;
    };
  }, [data, layout]);

  useEffect(() => {
    const node = element.current;
    return () => {
      if (node) void loadPlotly().then((module) => module.purge(node));
    };
  }, []);

  const download = async (format: 'png' | 'svg') => {
    const module = await loadPlotly();
    if (!element.current) return;
    await module.downloadImage(element.current, { format, filename: fileNameOf(label), width: null, height: null, ...(format === 'png' ? { scale: 2 } : {}) });
  };

  return (
    <figure className="chart" aria-label={label} aria-busy={!ready}>
      {failure ? <p className="error-text">Could not draw the chart: {failure}</p> : null}
      {!ready && !failure ? <p className="chart-placeholder">Drawing…</p> : null}
      <div ref={element} data-testid={testId} className="chart-canvas" />
      {ready ? (
        <figcaption className="chart-downloads small" role="group" aria-label={`Download ${label}`}>
          <span className="muted">Download</span>
          {(['png', 'svg'] as const).map((format) => (
            <button key={format} type="button" className="link" onClick={() => void download(format)} data-testid={`download-${format}`}>
              {format.toUpperCase()}
            </button>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}

/** "Run 2: mAP, query × passage language" → "xling-run-2-map-query-passage-language". */
function fileNameOf(label: string): string {
  return `xling-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}
