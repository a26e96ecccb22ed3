import { renderChart, timePercent, type ChartMark } from '../internal/html/chart.js';
import { attr, count, duration, percent, plain, text } from '../internal/html/markup.js';
import { pageFrame } from '../internal/html/page-frame.js';
import { timelineCharts } from '../internal/html/timeline-charts.js';
import type { ScenarioReport } from '../scenario-report.js';

/** The client events a page marks on its time axis. */
export type TimelineEventType = 'ejected' | 'restored' | 'ring-changed' | 'warm-up' | 'migration';

/** Something the client (or the story) did, `atMs` from the scenario's start. */
export interface TimelineEvent {
  readonly atMs: number;
  readonly type: TimelineEventType;
  readonly node?: string;
  /** A short reason or figure (`timeout`, `20.1 % of keys moved`). */
  readonly detail?: string;
}

/** One check of a run: what was required, whether it held, and the figure it was judged on. */
export interface ReportCheck {
  readonly name: string;
  readonly ok: boolean;
  /** The measured figure and the bound (`412 ms, at most 455 ms`). */
  readonly detail: string;
}

/** A setting or a measured figure, as plain JSON. */
export type ReportValue = string | number | boolean | null;

/**
 * Everything a scenario's page shows; plain JSON, so a page can be rendered again from a saved
 * report (the chaos suite writes its results in this shape).
 */
export interface ScenarioPage {
  readonly title: string;
  /** One line under the title: what was done to whom. */
  readonly description?: string;
  readonly report: ScenarioReport;
  readonly events?: readonly TimelineEvent[];
  readonly checks: readonly ReportCheck[];
  /**
   * The settings in force (client, load, fault): nested options as they were passed, shown as
   * `client.health.serverFailureLimit` and so on. Only plain values are shown (lists joined);
   * functions and undefined are left out.
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Figures the scenario measured beyond the report, by name. */
  readonly measured?: Readonly<Record<string, ReportValue>>;
  /** Named stretches of the run (the demo's story), labelled above the charts. */
  readonly phases?: readonly { readonly title: string; readonly fromMs: number; readonly toMs: number }[];
}

/** `pass` when every check holds. */
export type Verdict = 'pass' | 'fail';

/**
 * A page's verdict: pass when every check holds.
 *
 * @example
 * pageVerdict([{ name: 'no wrong value read', ok: true, detail: '0' }]); // 'pass'
 */
export const pageVerdict = (checks: readonly ReportCheck[]): Verdict => (checks.every((check) => check.ok) ? 'pass' : 'fail');

const GLYPHS: Readonly<Record<TimelineEventType, string>> = { ejected: '✕', restored: '✓', 'ring-changed': '◆', 'warm-up': '▲', migration: '➜' };

/**
 * A scenario's report as one self-contained HTML page (inline CSS and SVG, no script, no
 * network): headline figures, timelines with the faults shaded and the client's events marked,
 * the checks with their verdicts, the events, faults and settings. A pure function: the same
 * page for the same input. SVG elements carry `data-*` attributes (samples per chart, each
 * fault's window in ms, each event's time) so a browser test can hold the drawing to the JSON.
 *
 * @example
 * const report = await runScenario({ target, faults });
 * writeFileSync('pause.html', renderScenarioPage({ title: 'pause', report, checks: [] }));
 */
export function renderScenarioPage(page: ScenarioPage): string {
  const { report } = page;
  const verdict = pageVerdict(page.checks);
  const events = [...(page.events ?? [])].sort((a, b) => a.atMs - b.atMs);
  const label = (event: TimelineEvent): string => [`${event.type}${event.node === undefined ? '' : ` ${event.node}`}`, event.detail, `at ${duration(event.atMs)}`].filter((part) => part !== undefined && part !== '').join(', ');
  const marks: ChartMark[] = events.map((event) => ({ atMs: event.atMs, type: event.type, label: label(event) }));
  const { durationMs } = report.timeline;
  const charts = timelineCharts(report.timeline, report.faults, marks).map(renderChart);
  const lane = [
    ...(page.phases ?? []).map((phase) => `<span class="phase" style="left:${timePercent(phase.fromMs, durationMs)};width:calc(${timePercent(phase.toMs, durationMs)} - ${timePercent(phase.fromMs, durationMs)})" title="${attr(phase.title)}">${text(phase.title)}</span>`),
    ...events.map((event) => `<span class="glyph ev-${event.type}" style="left:${timePercent(event.atMs, durationMs)}" title="${attr(label(event))}">${GLYPHS[event.type]}</span>`),
  ];
  const usedTypes = [...new Set(events.map((event) => event.type))];
  return pageFrame({
    title: page.title,
    verdict,
    header: `${page.description === undefined ? '' : `<p class="lead">${text(page.description)}</p>`}
${figures(report)}`,
    body: `<section id="timeline">
<h2>Timeline</h2>
<ul class="key">
<li><span class="fault-swatch"></span>fault window${report.faults.length === 1 ? '' : 's'} (${report.faults.length === 0 ? 'none' : report.faults.map((fault) => text(`${fault.type} on ${fault.node}`)).join('; ')})</li>
${usedTypes.map((type) => `<li><span class="glyph ev-${type}">${GLYPHS[type]}</span> ${type}</li>`).join('\n')}
<li>one point per ${duration(report.timeline.bucketMs)} of calls, by start</li>
</ul>
<div class="lane" aria-label="events">${lane.join('')}</div>
${charts.join('\n')}
</section>
${checksSection(page.checks)}
${eventsSection(events)}
${faultsSection(report)}
${valuesSection('measured', 'Measured', page.measured)}
${valuesSection('settings', 'Settings in force', flatten('', page.settings ?? {}, {}))}`,
  });
}

function figures(report: ScenarioReport): string {
  const seconds = report.durationMs / 1000;
  const codes = Object.entries(report.errorsByCode).map(([code, n]) => `${code} ${count(n)}`).join(', ');
  const phases = [report.phases.before, report.phases.during, report.phases.after].map((phase) => (phase.ops === 0 ? '-' : duration(phase.p99))).join(' / ');
  const rows: [string, string][] = [
    ['calls', `${count(report.ops)} (${count(report.gets)} get, ${count(report.sets)} set)`],
    ['throughput', `${count(seconds > 0 ? report.ops / seconds : 0)} calls/s over ${duration(report.durationMs)}`],
    ['hit rate', `${percent(report.hitRate)}`],
    ['errors', report.errors === 0 ? '0' : `${count(report.errors)} (${codes})`],
    ['p99 before / during / after', phases],
    ['longest call', duration(report.maxCallMs)],
    ['first error after the fault', duration(report.timeToFirstErrorMs)],
    ['recovered after the revert', duration(report.timeToRecoveryMs)],
    ['stale reads', count(report.staleReads)],
    ['wrong values', count(report.wrongValues)],
  ];
  if (report.skippedStarts > 0) rows.push(['skipped starts', `${count(report.skippedStarts)} (${count(report.skippedLateStarts)} late: a stall bunched them)`]);
  return `<dl class="figures">${rows.map(([name, value]) => `<div><dt>${text(name)}</dt><dd>${text(value)}</dd></div>`).join('')}</dl>`;
}

function checksSection(checks: readonly ReportCheck[]): string {
  const passed = checks.filter((check) => check.ok).length;
  const rows = checks.map((check) => {
    const verdict: Verdict = check.ok ? 'pass' : 'fail';
    return `<tr class="check" data-verdict="${verdict}"><td><span class="verdict" data-verdict="${verdict}">${verdict}</span></td><td class="check-name">${text(check.name)}</td><td>${text(check.detail)}</td></tr>`;
  });
  return `<section id="checks">
<h2>Checks: ${passed} of ${checks.length} hold</h2>
<div class="table-wrap"><table>
<thead><tr><th>verdict</th><th>check</th><th>measured</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`;
}

function eventsSection(events: readonly TimelineEvent[]): string {
  if (events.length === 0) return '<section id="events"><h2>Client events</h2><p class="lead">none</p></section>';
  const rows = events.map((event) => `<tr data-event="${event.type}"><td class="num">${duration(event.atMs)}</td><td><span class="glyph ev-${event.type}">${GLYPHS[event.type]}</span> ${event.type}</td><td><code>${text(event.node ?? '-')}</code></td><td>${text(event.detail ?? '')}</td></tr>`);
  return `<section id="events">
<h2>Client events</h2>
<div class="table-wrap"><table>
<thead><tr><th>at</th><th>event</th><th>node</th><th>detail</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`;
}

function faultsSection(report: ScenarioReport): string {
  if (report.faults.length === 0) return '<section id="faults"><h2>Faults</h2><p class="lead">none</p></section>';
  const rows = report.faults.map((fault) => {
    const counters = Object.entries(fault.counters).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${count(n)}`).join(', ');
    return `<tr><td>${text(fault.type)}</td><td><code>${text(fault.node)}</code></td><td class="num">${duration(fault.appliedAtMs)}</td><td class="num">${duration(fault.revertedAtMs)}</td><td>${text(counters === '' ? '-' : counters)}</td></tr>`;
  });
  return `<section id="faults">
<h2>Faults</h2>
<div class="table-wrap"><table>
<thead><tr><th>fault</th><th>node</th><th>from</th><th>to</th><th>counters</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`;
}

/** Nested settings as `path.to.name: value`: the one place a page narrows them. */
function flatten(prefix: string, value: unknown, into: Record<string, ReportValue>): Record<string, ReportValue> {
  if (Array.isArray(value)) into[prefix] = (value as unknown[]).map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item))).join(', ');
  else if (typeof value === 'object' && value !== null) for (const [name, inner] of Object.entries(value)) flatten(prefix === '' ? name : `${prefix}.${name}`, inner, into);
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) into[prefix] = value;
  return into;
}

function valuesSection(id: string, title: string, values: Readonly<Record<string, ReportValue>> | undefined): string {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return '';
  return `<section id="${id}">
<h2>${text(title)}</h2>
<dl class="figures">${entries.map(([name, value]) => `<div><dt><code>${text(name)}</code></dt><dd>${text(plain(value))}</dd></div>`).join('')}</dl>
</section>`;
}
