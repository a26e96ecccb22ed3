// One timeline chart as inline SVG plus HTML labels. The SVG's view box is exactly the plot
// area (time 0..durationMs across 1000 units, values down 100 units) and it is stretched to the
// page's width (`preserveAspectRatio="none"`, strokes that do not scale): time is a percentage of
// the width everywhere, so the labels, the event lane and a browser test can place a time
// without reading the renderer's arithmetic. Text lives in HTML, where it stays readable at
// any width.
import { attr, coordinate, text } from './markup.js';

/** A fault's window on the time axis, in ms from the scenario's start. */
export interface ChartWindow {
  readonly node: string;
  readonly type: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** A client event on the time axis. */
export interface ChartMark {
  readonly atMs: number;
  readonly type: string;
  readonly label: string;
}

/** One line: a value per sample (null: nothing to plot there, a gap). */
export interface ChartSeries {
  /** What a browser test matches against the JSON: `all`, a node id, or `code:<error code>`. */
  readonly key: string;
  readonly label: string;
  /** `all` is drawn thicker in the text colour; others take palette colour `colour`. */
  readonly colour: number | 'all';
  readonly values: readonly (number | null)[];
}

export interface ChartSpec {
  /** Also the figure's `data-chart`. */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly scale: 'linear' | 'log';
  readonly durationMs: number;
  /** Where sample i sits on the time axis (its bucket's middle). */
  readonly sampleMs: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly faults: readonly ChartWindow[];
  readonly marks: readonly ChartMark[];
  /** How a tick value is written (`1,200`, `50 %`, `10 ms`). */
  readonly tick: (value: number) => string;
}

const WIDTH = 1000;
const HEIGHT = 100;
/** Headroom above the highest value, in view box units. */
const TOP = 6;

/** Palette colours (CSS `--c0` ... `--c7`). */
const PALETTE_SIZE = 8;

export function renderChart(chart: ChartSpec): string {
  const x = (ms: number): number => (chart.durationMs <= 0 ? 0 : (Math.min(Math.max(ms, 0), chart.durationMs) / chart.durationMs) * WIDTH);
  const axis = chart.scale === 'log' ? logAxis(chart.series) : linearAxis(chart.series);
  const y = (value: number): number => HEIGHT - axis.at(value) * (HEIGHT - TOP);
  const faults = chart.faults.map((fault) => {
    const from = x(fault.fromMs);
    return `<rect class="fault" data-fault-node="${attr(fault.node)}" data-fault-type="${attr(fault.type)}" data-fault-from="${attr(fault.fromMs)}" data-fault-to="${attr(fault.toMs)}" x="${coordinate(from)}" y="0" width="${coordinate(Math.max(0, x(fault.toMs) - from))}" height="${HEIGHT}"><title>${text(`${fault.type} on ${fault.node}`)}</title></rect>`;
  });
  const grid = axis.ticks.map((value) => `<line class="grid" x1="0" x2="${WIDTH}" y1="${coordinate(y(value))}" y2="${coordinate(y(value))}"/>`);
  const marks = chart.marks.map((mark) => `<line class="mark mark-${attr(mark.type)}" data-event="${attr(mark.type)}" data-at="${attr(mark.atMs)}" x1="${coordinate(x(mark.atMs))}" x2="${coordinate(x(mark.atMs))}" y1="0" y2="${HEIGHT}"><title>${text(mark.label)}</title></line>`);
  const lines = chart.series.flatMap((series) =>
    runs(series.values).map((run) => {
      const points = run.map((i) => `${coordinate(x(chart.sampleMs[i] ?? 0))},${coordinate(y(series.values[i] ?? 0))}`).join(' ');
      return `<polyline class="series ${colourClass(series)}" data-series="${attr(series.key)}" points="${points}"/>`;
    }),
  );
  const yLabels = axis.ticks.map((value) => `<span style="top:${coordinate(y(value))}%">${text(chart.tick(value))}</span>`);
  const legend = chart.series.map((series) => `<li><span class="swatch ${colourClass(series)}"></span>${text(series.label)}</li>`);
  const empty = chart.series.every((series) => series.values.every((value) => value === null)) ? '<p class="empty">nothing to plot</p>' : '';
  return `<figure class="chart" data-chart="${attr(chart.id)}">
<figcaption>${text(chart.title)} <span class="unit">${text(chart.unit)}${chart.scale === 'log' ? ', log scale' : ''}</span></figcaption>
<div class="plot">
<div class="y-labels" aria-hidden="true">${yLabels.join('')}</div>
<svg class="plot-area" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" data-samples="${chart.sampleMs.length}" data-t0="0" data-t1="${attr(chart.durationMs)}" role="img" aria-label="${attr(`${chart.title} over ${Math.round(chart.durationMs)} ms`)}">
${[...faults, ...grid, ...marks, ...lines].join('\n')}
</svg>${empty}
${timeLabels(chart.durationMs)}
</div>
<ul class="legend">${legend.join('')}</ul>
</figure>`;
}

/** Time ticks under a chart: every readable step, 4 to 8 of them. */
function timeLabels(durationMs: number): string {
  const step = niceStep(durationMs / 6);
  const labels: string[] = [];
  for (let ms = 0; durationMs > 0 && ms <= durationMs + 1e-9; ms += step) {
    // The last label ends at its tick, so it never reaches past the chart.
    const end = ms > 0.9 * durationMs ? ' class="end"' : '';
    labels.push(`<span${end} style="left:${coordinate((ms / durationMs) * 100)}%">${text(ms === 0 ? '0 s' : `${Number((ms / 1000).toFixed(3))} s`)}</span>`);
  }
  return `<div class="x-labels" aria-hidden="true">${labels.join('')}</div>`;
}

/** Where `ms` sits across the time axis, as a CSS percentage. */
export const timePercent = (ms: number, durationMs: number): string => `${coordinate(durationMs <= 0 ? 0 : (Math.min(Math.max(ms, 0), durationMs) / durationMs) * 100)}%`;

const colourClass = (series: ChartSeries): string => (series.colour === 'all' ? 'all' : `c${series.colour % PALETTE_SIZE}`);

/** Indexes of consecutive non-null values: one polyline each, so a gap stays a gap. */
function runs(values: readonly (number | null)[]): number[][] {
  const result: number[][] = [];
  let current: number[] = [];
  values.forEach((value, i) => {
    if (value === null) {
      if (current.length > 0) result.push(current);
      current = [];
    } else current.push(i);
  });
  if (current.length > 0) result.push(current);
  return result;
}

interface Axis {
  /** Where a value sits from the bottom (0) to the top (1). */
  at(value: number): number;
  readonly ticks: readonly number[];
}

const plotted = (series: readonly ChartSeries[]): number[] => series.flatMap((line) => line.values.filter((value): value is number => value !== null && Number.isFinite(value)));

function linearAxis(series: readonly ChartSeries[]): Axis {
  const max = niceCeil(Math.max(0, ...plotted(series)));
  return { at: (value) => Math.min(1, Math.max(0, value / max)), ticks: [0, max / 2, max] };
}

/** Decades from the smallest positive value to the largest: latencies from 0.1 ms to a 1 s deadline fit one chart. */
function logAxis(series: readonly ChartSeries[]): Axis {
  const values = plotted(series).filter((value) => value > 0);
  const low = Math.max(-2, Math.floor(Math.log10(Math.min(...values, 1))));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...values, 1))));
  return {
    at: (value) => Math.min(1, Math.max(0, (Math.log10(Math.max(value, 10 ** low)) - low) / (high - low))),
    ticks: Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i)),
  };
}

/** The smallest of 1, 2, 5 x 10^k at or above `value` (1 for 0). */
function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const decade = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * decade >= value) ?? 10) * decade;
}

function niceStep(value: number): number {
  const decade = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  return ([1, 2, 2.5, 5, 10].find((step) => step * decade >= value) ?? 10) * decade;
}
