// The pages as strings (the browser test at the repository root renders them for real): what
// the SVG carries for a test to read, gaps, escaping, and the index.
import { describe, expect, it } from 'vitest';
import { buildReport, fleetNames, pageVerdict, renderIndexPage, renderScenarioPage, type FaultRecord, type FleetNode, type OperationSample, type ScenarioPage } from '../src/index.js';

const counters = { connections: 0, bytesForwarded: 0, bytesHeld: 0, bytesDropped: 0, bytesAltered: 0, connectionsReset: 0, requestsFailed: 0, kills: 1, pauses: 0, restarts: 0, flaps: 0 };

/** 1 s of calls every 10 ms alternating nodes a and b; b fails from 300 to 600 ms (killed there) and gets no call after. */
function page(overrides: Partial<ScenarioPage> = {}): ScenarioPage {
  const samples: OperationSample[] = [];
  for (let startMs = 0; startMs < 1000; startMs += 10) {
    const node = (startMs / 10) % 2 === 0 ? 'a' : 'b<&>';
    if (node !== 'a' && startMs >= 600) continue;
    const failed = node !== 'a' && startMs >= 300;
    samples.push({ kind: 'get', phase: startMs < 300 ? 'before' : 'during', startMs, endMs: startMs + 2, node, ...(failed ? { errorCode: 'ERR_TIMEOUT' } : { outcome: 'hit' as const }) });
  }
  const faults: FaultRecord[] = [{ node: 'b<&>', type: 'kill', appliedAtMs: 300, revertedAtMs: 1000, counters }];
  return {
    title: 'kill <one>',
    description: 'SIGKILL b',
    report: buildReport(samples, faults, 1000, 'duration'),
    events: [{ atMs: 420, type: 'ejected', node: 'b<&>', detail: 'timeout' }],
    checks: [
      { name: 'no wrong value read', ok: true, detail: 'wrong values 0' },
      { name: 'ejected in time', ok: false, detail: '120 ms, at most 100 ms' },
    ],
    settings: { 'client.timeoutMs': 100, 'load.concurrency': 4 },
    ...overrides,
  };
}

const attribute = (html: string, element: string, name: string): string[] => [...html.matchAll(new RegExp(`<${element}[^>]*\\b${name}="([^"]*)"`, 'g'))].map((match) => match[1] ?? '');

describe('renderScenarioPage', () => {
  const html = renderScenarioPage(page());

  it('is one self-contained document: no script, nothing fetched', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:/i);
    expect(html).toContain('@media (prefers-color-scheme: dark)');
  });

  it('draws five charts, each stating its samples, with one point per sample of every series', () => {
    expect(attribute(html, 'figure', 'data-chart')).toEqual(['throughput', 'errors', 'hit-rate', 'p50', 'p99']);
    // 1000 ms in buckets of 10 ms.
    expect(attribute(html, 'svg', 'data-samples')).toEqual(['100', '100', '100', '100', '100']);
    const throughput = html.slice(html.indexOf('data-chart="throughput"'), html.indexOf('data-chart="errors"'));
    const points = (series: string): number =>
      [...throughput.matchAll(new RegExp(`<polyline [^>]*data-series="${series}" points="([^"]*)"`, 'g'))].reduce((sum, match) => sum + (match[1] ?? '').split(' ').length, 0);
    expect(points('all')).toBe(100);
    expect(points('a')).toBe(100);
    expect(points('b&lt;&amp;&gt;')).toBe(100);
  });

  it('leaves a gap where a node had no call, instead of drawing a zero', () => {
    const p99 = html.slice(html.indexOf('data-chart="p99"'));
    const lines = [...p99.matchAll(/<polyline [^>]*data-series="b&lt;&amp;&gt;" points="([^"]*)"/g)].map((match) => (match[1] ?? '').split(' ').length);
    // b's calls start at 10, 30, ... 590 ms: one in each bucket from 10 to 590 ms, every other bucket.
    expect(lines.reduce((sum, n) => sum + n, 0)).toBe(30);
  });

  it('shades the fault window with its times and marks the event', () => {
    expect(attribute(html, 'rect', 'data-fault-from')).toEqual(['300', '300', '300', '300', '300']);
    expect(attribute(html, 'rect', 'data-fault-to')).toEqual(['1000', '1000', '1000', '1000', '1000']);
    // 300..1000 ms of 1000 ms on a 1000-unit axis.
    expect(html).toContain('data-fault-to="1000" x="300" y="0" width="700" height="100"');
    expect(attribute(html, 'line', 'data-at')).toEqual(['420', '420', '420', '420', '420']);
  });

  it('shows each check with its verdict, and fails the page when one fails', () => {
    expect(html).toContain('<body data-verdict="fail">');
    expect([...html.matchAll(/<tr class="check" data-verdict="(\w+)"><td>.*?<td class="check-name">([^<]*)<\/td>/g)].map((match) => [match[2], match[1]])).toEqual([
      ['no wrong value read', 'pass'],
      ['ejected in time', 'fail'],
    ]);
    expect(pageVerdict(page().checks)).toBe('fail');
    expect(renderScenarioPage(page({ checks: [] }))).toContain('<body data-verdict="pass">');
  });

  it('escapes what comes from the report', () => {
    expect(html).toContain('<h1>kill &lt;one&gt;');
    expect(html).not.toContain('b<&>');
    expect(html).toContain('<code>client.timeoutMs</code>');
  });

  it('is a pure function of its input', () => {
    expect(renderScenarioPage(page())).toBe(html);
  });
});

describe('fleetNames', () => {
  it('names a server and its fault proxy by the node id, anything else as it is', () => {
    const nodes = [{ id: 'redis-0', address: '127.0.0.1:7000', proxyAddress: '127.0.0.1:7001' }, { id: 'redis-1', address: '127.0.0.1:7002', proxyAddress: undefined }] as unknown as FleetNode[];
    const nameOf = fleetNames(nodes);
    expect(['127.0.0.1:7000', '127.0.0.1:7001', '127.0.0.1:7002', '10.0.0.1:6379'].map(nameOf)).toEqual(['redis-0', 'redis-0', 'redis-1', '10.0.0.1:6379']);
  });
});

describe('renderIndexPage', () => {
  it('links every page with its verdict, failures first, and fails when one fails', () => {
    const html = renderIndexPage('chaos run', [
      { title: 'pause · redis', href: 'pause.redis.html', verdict: 'pass', detail: '5 of 5 checks hold' },
      { title: 'kill "one"', href: 'kill-one.redis.html', verdict: 'fail' },
    ]);
    expect(html).toContain('<body data-verdict="fail">');
    expect([...html.matchAll(/<tr class="scenario" data-verdict="(\w+)">.*?<a href="([^"]*)">/g)].map((match) => [match[2], match[1]])).toEqual([
      ['kill-one.redis.html', 'fail'],
      ['pause.redis.html', 'pass'],
    ]);
    expect(html).toContain('kill &quot;one&quot;');
  });
});
