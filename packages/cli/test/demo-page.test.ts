// The demo's story as a report page, from a story told by hand (the demo test draws a real one).
import { describe, expect, it } from 'vitest';
import { demoPage } from '../src/demo/demo-page.js';
import type { DemoSummary } from '../src/demo/demo-summary.js';
import type { StoryEvent } from '../src/demo/story-events.js';
import type { LoadCall } from '../src/demo/versioned-load.js';

const status = { scanned: 120, total: 120, moved: 30, skipped: 90, failed: 0 };
const EVENTS: StoryEvent[] = [
  { type: 'phase', atMs: 0, phase: 'steady', index: 1, count: 5, title: 'steady state' },
  { type: 'phase', atMs: 1000, phase: 'kill', index: 2, count: 5, title: 'a node dies' },
  { type: 'killed', atMs: 1000, node: 'memcached-1', pid: 7 },
  { type: 'ejected', atMs: 1150, node: 'memcached-1', reason: 'failures' },
  { type: 'phase', atMs: 2000, phase: 'restore', index: 3, count: 5, title: 'it comes back' },
  { type: 'restarted', atMs: 2010, node: 'memcached-1', pid: 8, tracked: 3 },
  { type: 'restored', atMs: 2400, node: 'memcached-1' },
  { type: 'phase', atMs: 3000, phase: 'add', index: 4, count: 5, title: 'a node joins' },
  { type: 'added', atMs: 3005, node: 'memcached-3', moved: 0.25, warmupMs: 995 },
  { type: 'warmed', atMs: 4000, node: 'memcached-3', reads: 12 },
  { type: 'phase', atMs: 4000, phase: 'migrate', index: 5, count: 5, title: 'a node leaves' },
  { type: 'draining', atMs: 4001, node: 'memcached-0' },
  { type: 'migration', atMs: 4200, node: 'memcached-0', status },
  { type: 'migrated', atMs: 4500, node: 'memcached-0', status, completed: true },
  { type: 'removed', atMs: 4510, node: 'memcached-0', moved: 0.2 },
  { type: 'done', atMs: 5000 },
];
const totals = { ops: 3, gets: 2, sets: 1, hits: 1, misses: 1, stale: 0, wrong: 0, errors: 0, errorsByCode: {} };
const summary: DemoSummary = { backend: 'memcached', durationMs: 5000, totals, events: EVENTS, pids: [7, 8], interrupted: false };
// On the load's clock, which started the story at 10,000.
const CALLS: LoadCall[] = [
  { kind: 'get', node: 'memcached-1', startedAt: 10_500, endedAt: 10_501, errorCode: undefined, outcome: 'hit' },
  { kind: 'get', node: 'memcached-2', startedAt: 11_500, endedAt: 11_502, errorCode: undefined, outcome: 'miss' },
  { kind: 'set', node: 'memcached-2', startedAt: 12_500, endedAt: 12_503, errorCode: undefined, outcome: undefined },
];

describe('demoPage', () => {
  const page = demoPage({ summary, calls: CALLS, startedAt: 10_000, settings: { demo: { nodes: 3 } } });

  it('makes the load a report on the story\'s time axis, the kill its fault', () => {
    expect(page.report.ops).toBe(3);
    expect(page.report.phases.before.ops).toBe(1);
    expect(page.report.phases.during.ops).toBe(1);
    expect(page.report.phases.after.ops).toBe(1);
    expect(page.report.faults).toEqual([expect.objectContaining({ node: 'memcached-1', type: 'kill', appliedAtMs: 1000, revertedAtMs: 2010 })]);
    expect(page.report.timeline.durationMs).toBe(5000);
    expect(page.report.timeline.nodes.map(({ node }) => node)).toEqual(['memcached-1', 'memcached-2']);
  });

  it('marks what the client and the story did, and labels the phases', () => {
    expect(page.events?.map((event) => [event.atMs, event.type, event.node])).toEqual([
      [1150, 'ejected', 'memcached-1'],
      [2400, 'restored', 'memcached-1'],
      [3005, 'ring-changed', 'memcached-3'],
      [3005, 'warm-up', 'memcached-3'],
      [4000, 'warm-up', 'memcached-3'],
      [4001, 'migration', 'memcached-0'],
      [4500, 'migration', 'memcached-0'],
      [4510, 'ring-changed', 'memcached-0'],
    ]);
    expect(page.phases?.map((phase) => [phase.title, phase.fromMs, phase.toMs])).toEqual([
      ['1. steady state', 0, 1000],
      ['2. a node dies', 1000, 2000],
      ['3. it comes back', 2000, 3000],
      ['4. a node joins', 3000, 4000],
      ['5. a node leaves', 4000, 5000],
    ]);
  });

  it('checks what the story promises', () => {
    expect(page.checks.map((check) => [check.name, check.ok])).toEqual([
      ['no wrong value read', true],
      ['no stale value read (rejoin safety)', true],
      ['the killed node was ejected', true],
      ['it was restored after its restart', true],
      ['the spare joined with warm-up', true],
      ['the leaver was migrated and removed', true],
    ]);
    const stalled = demoPage({ summary: { ...summary, totals: { ...totals, wrong: 1 }, events: EVENTS.filter((event) => event.type !== 'restored') }, calls: CALLS, startedAt: 10_000, settings: {} });
    expect(stalled.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['no wrong value read', 'it was restored after its restart']);
  });
});
