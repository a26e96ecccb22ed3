// The report pages in a real browser (Debian's Chromium through playwright-core), opened from
// disk: pages of this run's own real scenarios (a pause through the chaos toolkit, `shardcache
// chaos kill --html`, `shardcache demo --html`) and their index. Each chart must plot a point
// per sample of the JSON, each shaded fault window must sit on the fault's times within 1 px,
// the verdicts shown must be the JSON's, and the page must fit a phone's width and switch to
// dark colours. Screenshots (1280x800 and phone, light and dark) go to test/results/report-pages/
// (gitignored) for a person to look at.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFault, pageVerdict, renderIndexPage, startFleet, type ScenarioPage } from '@shardcache/chaos';
import { main, runDemo } from '@shardcache/cli';
import { chaosClient, RecordingTarget, resultName, saveResult, TIMEOUT_MS, untypedCodes } from './chaos/support/chaos-kit.js';
import { Checks } from './chaos/support/checks.js';
import { launchChromium, type Chromium } from './support/chromium.js';
import { expectedPoints, luminance, readDrawing, readIndex, type Drawing } from './support/page-drawing.js';

const OUT = fileURLToPath(new URL('results/report-pages/', import.meta.url));
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** Each page this run wrote, with the JSON it was drawn from. */
interface Written {
  readonly name: string;
  readonly file: string;
  readonly page: ScenarioPage;
}

/** A pause of one of 3 memcached nodes through the chaos toolkit: the suite's own result and page writer. */
async function pauseScenario(): Promise<Written> {
  const fleet = await startFleet({ memcached: 3, proxy: false });
  try {
    const victim = fleet.memcached[1];
    if (victim === undefined) throw new Error('no victim');
    const client = chaosClient('memcached', fleet.memcached.map((node) => node.address));
    const target = new RecordingTarget(client, 'report-pages:', TIMEOUT_MS, fleet.memcached);
    try {
      await client.ping();
      const report = await target.run({ maxOps: 1_000_000, durationMs: 2000, concurrency: 8, keys: 100, callTimeoutMs: 1000, faults: [{ atMs: 500, durationMs: 700, apply: () => applyFault(victim, { type: 'pause' }) }] });
      // Real checks, whatever they find: the page must show the JSON's verdicts either way.
      const checks = new Checks()
        .atMost('no wrong value read', report.wrongValues, 0)
        .equal('every failure has a client error code', untypedCodes(report), [])
        .that('the paused node was ejected', target.pageEvents.some((event) => event.type === 'ejected' && event.node === victim.id), `${target.events.length} client events`);
      const result = saveResult({ scenario: 'pause', backend: 'memcached', report, measured: {}, checks: checks.list, description: `SIGSTOP ${victim.id} from 500 ms for 700 ms` }, target, OUT);
      return { name: resultName(result), file: join(OUT, `${resultName(result)}.html`), page: result };
    } finally {
      await client.destroy();
    }
  } finally {
    for (const node of fleet.servers) if (node.paused) await node.resume();
    await fleet.stop();
  }
}

/** `shardcache chaos kill --html`, in this process; its `--json` output is the page's JSON. */
async function cliChaos(): Promise<Written> {
  const file = join(OUT, 'cli-chaos-kill.html');
  let out = '';
  const code = await main(['chaos', 'kill', '--nodes', '3', '--duration', '2', '--json', '--html', file], { out: (line) => (out += line), err: () => undefined });
  if (code > 1) throw new Error(`shardcache chaos exited ${code}`);
  const result = JSON.parse(out) as { scenario: string; backend: string; report: ScenarioPage['report']; events: ScenarioPage['events']; checks: ScenarioPage['checks'] };
  writeFileSync(join(OUT, 'cli-chaos-kill.json'), out);
  return { name: 'cli-chaos-kill', file, page: { title: result.scenario, report: result.report, events: result.events ?? [], checks: result.checks } };
}

/** `shardcache demo --html` (the shortest story), in this process. */
async function demo(): Promise<Written> {
  const file = join(OUT, 'demo.html');
  const summary = await runDemo({ backend: 'memcached', nodes: 3, durationMs: 5000, keys: 500, opsPerSecond: 1000, plain: true, html: file }, { out: () => undefined, err: () => undefined });
  if (summary.page === undefined) throw new Error('the demo returned no page');
  writeFileSync(join(OUT, 'demo.json'), JSON.stringify(summary.page, null, 2));
  return { name: 'demo', file, page: summary.page };
}

let chromium: Chromium;
let written: readonly Written[] = [];

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // Three real runs one after the other (their checks need not pass here), and the browser
  // meanwhile (held whatever happens to the runs, so afterAll closes it). Not side by side: the
  // demo's joining node must answer its ping within the demo's 250 ms deadline, and three runs
  // at once on a CI machine's 2 loaded cores missed it once.
  const launching = launchChromium();
  // Awaited below; a launch that fails while the runs go on must not count as unhandled.
  launching.catch(() => undefined);
  try {
    written = [await pauseScenario(), await cliChaos(), await demo()];
  } finally {
    chromium = await launching;
  }
}, 60_000);

afterAll(async () => {
  await chromium?.close();
});

/** Opens a page from disk; `failures` collects any error it raises and any request it makes (a page must make none). */
async function open(file: string): Promise<{ page: Page; failures: string[] }> {
  const failures: string[] = [];
  const page = await chromium.context.newPage();
  page.on('pageerror', (error) => failures.push(`${file}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') failures.push(`${file}: console error ${message.text()}`);
  });
  page.on('request', (request) => {
    if (request.url() !== pathToFileURL(file).href) failures.push(`${file}: requested ${request.url()}`);
  });
  const response = await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  expect(response?.ok() ?? true, `${file} loads`).toBe(true);
  return { page, failures };
}

/** What the JSON says each chart of `drawing` must show, checked against what Chromium laid out. */
function expectDrawn(drawing: Drawing, json: ScenarioPage, where: string, width: number): void {
  const expected = expectedPoints(json);
  const { durationMs, samples } = json.report.timeline;
  expect(drawing.charts.map((chart) => chart.id), where).toEqual(['throughput', 'errors', 'hit-rate', 'p50', 'p99']);
  for (const chart of drawing.charts) {
    expect(chart.samples, `${where}, ${chart.id}: samples`).toBe(samples.length);
    expect(chart.points, `${where}, ${chart.id}: points per series`).toEqual(expected[chart.id]);
    expect(chart.width, `${where}, ${chart.id}: drawn`).toBeGreaterThan(width / 2);
    expect(chart.height, `${where}, ${chart.id}: drawn`).toBeGreaterThan(50);
    // The fault windows, on the JSON's times, to the pixel.
    expect(chart.faults.map((fault) => [fault.from, fault.to]), `${where}, ${chart.id}: faults`).toEqual(json.report.faults.map((fault) => [fault.appliedAtMs, fault.revertedAtMs]));
    const at = (ms: number): number => chart.left + (Math.min(ms, durationMs) / durationMs) * chart.width;
    for (const fault of chart.faults) {
      expect(Math.abs(fault.left - at(fault.from)), `${where}, ${chart.id}: fault starts at ${fault.from} ms`).toBeLessThanOrEqual(1);
      expect(Math.abs(fault.right - at(fault.to)), `${where}, ${chart.id}: fault ends at ${fault.to} ms`).toBeLessThanOrEqual(1);
    }
    expect(chart.marks.map((mark) => [mark.type, mark.at]), `${where}, ${chart.id}: events`).toEqual([...(json.events ?? [])].sort((a, b) => a.atMs - b.atMs).map((event) => [event.type, event.atMs]));
  }
  expect(drawing.verdict, where).toBe(pageVerdict(json.checks));
  expect(drawing.checks, where).toEqual(json.checks.map((check) => [check.name, check.ok ? 'pass' : 'fail']));
  // Reads at this width: nothing wider than the screen (tables scroll in their own box).
  expect(drawing.overflowX, `${where}: sideways scrolling`).toBeLessThanOrEqual(0);
}

describe('report pages in Chromium', () => {
  it.each(['pause.memcached', 'cli-chaos-kill', 'demo'])(
    '%s: every sample drawn, each fault shaded on its times, the verdicts of the JSON, at desktop and phone width, light and dark',
    async (name) => {
      const entry = written.find((candidate) => candidate.name === name);
      if (entry === undefined) throw new Error(`no page ${name} was written`);
      const { page, failures } = await open(entry.file);
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize({ width: viewport.width, height: viewport.height });
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme });
          const drawing = await readDrawing(page);
          const where = `${name} at ${viewport.name} width, ${scheme}`;
          // Layout does not change with the colours: checked once per width.
          if (scheme === 'light') expectDrawn(drawing, entry.page, where, viewport.width);
          if (scheme === 'dark') expect(luminance(drawing.background), `${where}: background`).toBeLessThan(0.05);
          else expect(luminance(drawing.background), `${where}: background`).toBeGreaterThan(0.9);
          const screenshot = join(OUT, `${name}.${viewport.name}.${scheme}.png`);
          await page.screenshot({ path: screenshot, fullPage: true });
          expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
        }
      }
      await page.close();
      expect(failures).toEqual([]);
    },
    30_000,
  );

  it('the index links every page with its verdict', async () => {
    const file = join(OUT, 'index.html');
    writeFileSync(file, renderIndexPage('report pages test', written.map(({ name, page }) => ({ title: page.title, href: `${name}.html`, verdict: pageVerdict(page.checks) }))));
    const { page, failures } = await open(file);
    const rows = await readIndex(page);
    expect([...rows].sort((a, b) => a[1].localeCompare(b[1]))).toEqual(
      written.map(({ name, page: json }) => [pageVerdict(json.checks), `${name}.html`] as const).sort((a, b) => a[1].localeCompare(b[1])),
    );
    for (const [, href] of rows) expect(existsSync(join(OUT, href)), href).toBe(true);
    await page.screenshot({ path: join(OUT, 'index.desktop.light.png'), fullPage: true });
    await page.close();
    expect(failures).toEqual([]);
  });
});
