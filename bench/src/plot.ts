import fs from 'node:fs';
import path from 'node:path';

/** One line of the chart: a name and its points (seconds since the start, MB). */
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

export interface PlotOptions {
  title: string;
  /** Lines under the title. Keep each short: without a canvas, Vega guesses text widths high and pads for them. */
  subtitle: string[];
  /** Spans framed by dashed lines with a label at the top, in seconds; shaded unless `shade` is false. */
  spans: Array<{ label: string; from: number; to: number; shade?: boolean }>;
  file: string;
}

const WIDTH = 900;
const HEIGHT = 420;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/**
 * One line chart of every series against time, each line named by the legend and at its end,
 * written as a PNG: Vega-Lite → Vega → SVG (headless, no canvas), rasterized by resvg.
 */
export async function plotLines(series: Series[], opts: PlotOptions): Promise<void> {
  // Both are ES modules only; this package is CommonJS.
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const { Resvg } = await import('@resvg/resvg-js');

  const values = series.flatMap((s) => s.points.map(([t, mb]) => ({ series: s.name, minute: t / 60, mb })));
  const top = Math.max(1, ...values.map((v) => v.mb)) * 1.12;
  const names = series.map((s) => s.name);
  const spans = opts.spans.map((s) => ({ ...s, from: s.from / 60, to: s.to / 60, mid: (s.from + s.to) / 120, opacity: s.shade === false ? 0 : 0.1 }));
  const x = { field: 'minute', type: 'quantitative' as const, title: 'minutes since the load started', scale: { nice: false } };
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: names, range: COLORS.slice(0, names.length) } };

  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    padding: 16,
    title: { text: opts.title, subtitle: opts.subtitle, anchor: 'start' as const, fontSize: 16, subtitleFontSize: 12 },
    layer: [
      { data: { values: spans }, mark: { type: 'rect' as const, fill: '#888', stroke: '#666', strokeDash: [4, 3], strokeOpacity: 0.8 }, encoding: { x: { field: 'from', type: 'quantitative' as const }, x2: { field: 'to' }, fillOpacity: { field: 'opacity', type: 'quantitative' as const, scale: null } } },
      { data: { values: spans }, mark: { type: 'text' as const, baseline: 'top' as const, dy: 4, fontSize: 11, color: '#555' }, encoding: { x: { field: 'mid', type: 'quantitative' as const }, y: { value: 0 }, text: { field: 'label' } } },
      {
        data: { values },
        // Dots while they can be told apart (a short run); an hour's 360 samples are a line.
        mark: { type: 'line' as const, strokeWidth: 2, point: values.length / Math.max(1, series.length) <= 60 ? { size: 14 } : false },
        encoding: {
          x,
          y: { field: 'mb', type: 'quantitative' as const, title: 'MB', scale: { domain: [0, top] } },
          color: { ...color, title: null, legend: { orient: 'top' as const, labelFontSize: 12, labelLimit: 0, symbolStrokeWidth: 3 } },
        },
      },
      { data: { values: endLabels(series, top) }, mark: { type: 'text' as const, align: 'left' as const, dx: 6, fontSize: 11, fontWeight: 'bold' as const }, encoding: { x, y: { field: 'y', type: 'quantitative' as const }, text: { field: 'label' }, color } },
    ],
  };
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true } }).render().asPng();
  fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  fs.writeFileSync(opts.file, png);
}

/** Each line's name and last value beside its last point, nudged apart so no two overlap. */
function endLabels(series: Series[], top: number) {
  const gap = (top * 15) / HEIGHT; // 15 px in MB
  const labels = series
    .filter((s) => s.points.length)
    .map((s) => {
      const [t, mb] = s.points[s.points.length - 1];
      return { series: s.name, minute: t / 60, mb, y: mb, label: `${s.name} ${mb.toFixed(0)} MB` };
    })
    .sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + gap);
  return labels;
}
