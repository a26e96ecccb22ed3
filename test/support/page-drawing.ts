// What a report page drew, read in the browser (Chromium lays it out; nothing here trusts the
// renderer's arithmetic), and what the page's JSON says it should have drawn.
import type { Page } from 'playwright-core';
import type { NodeBucket, ScenarioPage } from '@shardcache/chaos';

/** One chart as laid out. */
export interface DrawnChart {
  readonly id: string;
  readonly samples: number;
  /** The plot area on screen (its view box fills it). */
  readonly left: number;
  readonly width: number;
  readonly height: number;
  /** Points plotted per series (summed over its polylines: a gap splits a series). */
  readonly points: Readonly<Record<string, number>>;
  readonly faults: readonly { readonly from: number; readonly to: number; readonly left: number; readonly right: number }[];
  readonly marks: readonly { readonly type: string; readonly at: number }[];
}

export interface Drawing {
  readonly verdict: string | null;
  readonly checks: readonly (readonly [string, string | null])[];
  readonly charts: readonly DrawnChart[];
  /** How far the page is wider than the viewport (0: no sideways scrolling). */
  readonly overflowX: number;
  /** The body's background, as computed (`rgb(r, g, b)`). */
  readonly background: string;
}

// The few DOM shapes read below: the test project compiles without the DOM library.
interface Box {
  readonly left: number;
  readonly right: number;
  readonly width: number;
  readonly height: number;
}
interface Element {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): Box;
  querySelector(selector: string): Element | null;
  querySelectorAll(selector: string): ArrayLike<Element>;
  readonly textContent: string | null;
  readonly points?: { readonly numberOfItems: number };
}
interface Window {
  readonly document: Element & { readonly body: Element; readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number } };
  getComputedStyle(element: Element): { readonly backgroundColor: string };
}

/** Reads the drawing from a loaded page. Runs in the browser: self-contained, no closures. */
export function readDrawing(page: Page): Promise<Drawing> {
  return page.evaluate(() => {
    const window = globalThis as unknown as Window;
    const { document } = window;
    const all = (root: Element, selector: string): Element[] => Array.from(root.querySelectorAll(selector));
    const number = (element: Element, name: string): number => Number(element.getAttribute(name));
    const charts = all(document, 'figure.chart').map((figure) => {
      const svg = figure.querySelector('svg.plot-area');
      if (svg === null) throw new Error(`chart ${String(figure.getAttribute('data-chart'))} has no plot`);
      const box = svg.getBoundingClientRect();
      const points: Record<string, number> = {};
      for (const line of all(svg, 'polyline.series')) {
        const key = line.getAttribute('data-series') ?? '';
        points[key] = (points[key] ?? 0) + (line.points?.numberOfItems ?? 0);
      }
      return {
        id: figure.getAttribute('data-chart') ?? '',
        samples: number(svg, 'data-samples'),
        left: box.left,
        width: box.width,
        height: box.height,
        points,
        faults: all(svg, 'rect.fault').map((rect) => {
          const drawn = rect.getBoundingClientRect();
          return { from: number(rect, 'data-fault-from'), to: number(rect, 'data-fault-to'), left: drawn.left, right: drawn.right };
        }),
        marks: all(svg, 'line.mark').map((line) => ({ type: line.getAttribute('data-event') ?? '', at: number(line, 'data-at') })),
      };
    });
    return {
      verdict: document.body.getAttribute('data-verdict'),
      checks: all(document, 'tr.check').map((row) => [row.querySelector('.check-name')?.textContent ?? '', row.getAttribute('data-verdict')] as const),
      charts,
      overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      background: window.getComputedStyle(document.body).backgroundColor,
    };
  });
}

/** The index page's rows: verdict and link of each. Runs in the browser. */
export function readIndex(page: Page): Promise<(readonly [string | null, string])[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as Window;
    return Array.from(document.querySelectorAll('tr.scenario')).map((row) => [row.getAttribute('data-verdict'), row.querySelector('a')?.getAttribute('href') ?? ''] as const);
  });
}

/** Per chart, the points each series must have: one per sample with a value (hit rate and latency have none where no call was). */
export function expectedPoints(page: ScenarioPage): Record<string, Record<string, number>> {
  const { samples, nodes } = page.report.timeline;
  const perNode = (has: (bucket: NodeBucket) => boolean): Record<string, number> =>
    Object.fromEntries([['all', samples.filter(has).length], ...nodes.map(({ node, samples: buckets }) => [node, buckets.filter(has).length])]);
  const codes = [...new Set(samples.flatMap((bucket) => Object.keys(bucket.errorsByCode)))];
  const withCalls = (bucket: NodeBucket): boolean => bucket.p50Ms !== null;
  return {
    throughput: perNode(() => true),
    errors: Object.fromEntries([['all', samples.length], ...codes.map((code) => [`code:${code}`, samples.length])]),
    'hit-rate': perNode((bucket) => bucket.hits + bucket.misses > 0),
    p50: perNode(withCalls),
    p99: perNode(withCalls),
  };
}

/** Relative luminance of `rgb(r, g, b)`, 0 (black) to 1 (white). */
export function luminance(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
