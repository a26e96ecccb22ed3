import { describe, expect, it } from 'vitest';
import { DashboardRenderer } from '../src/demo/dashboard-renderer.js';
import type { DemoFrame } from '../src/demo/demo-monitor.js';
import { PlainRenderer } from '../src/demo/plain-renderer.js';
import type { Terminal } from '../src/internal/terminal.js';
import { ANSI, COLOUR } from './support/ansi.js';

const frame = (atMs: number): DemoFrame => ({
  atMs,
  durationMs: 10_000,
  phase: { index: 2, count: 5, title: 'a node dies (SIGKILL)' },
  nodes: [
    { id: 'memcached-0', address: '127.0.0.1:1000', pid: 11, state: 'up', opsPerSecond: 500, hitRate: 0.98, p99Ms: 0.4, keys: 480 },
    { id: 'memcached-1', address: '127.0.0.1:1001', pid: 12, state: 'ejected', opsPerSecond: 0, hitRate: undefined, p99Ms: undefined, keys: undefined },
  ],
  totals: { ops: 2000, gets: 1600, sets: 400, hits: 1500, misses: 100, stale: 0, wrong: 0, errors: 3, errorsByCode: { ERR_CONNECTION: 3 }, opsPerSecond: 1000, hitRate: 0.94 },
  migration: { node: 'memcached-0', scanned: 50, total: 100, moved: 10, skipped: 0, failed: 0 },
});

describe('the plain renderer', () => {
  it('prints one timestamped line per event and a totals line at most every interval', () => {
    const lines: string[] = [];
    const renderer = new PlainRenderer((line) => lines.push(line), Date.UTC(2025, 0, 1), 1000);
    renderer.event({ type: 'killed', atMs: 1500, node: 'memcached-1', pid: 12 });
    renderer.event({ type: 'migration', atMs: 1600, node: 'memcached-0', status: { scanned: 1, total: 2, moved: 0, skipped: 0, failed: 0 } });
    for (const atMs of [1000, 1250, 1500, 2000]) renderer.frame(frame(atMs));
    renderer.close(frame(2100));
    expect(lines).toEqual([
      '2025-01-01T00:00:01.500Z +  1.5s  killing memcached-1 (SIGKILL to pid 12)',
      '2025-01-01T00:00:01.000Z +  1.0s  totals: 2,000 ops (1,000/s), hit rate 94.0%, errors 3 (ERR_CONNECTION 3), wrong values 0, stale reads 0; out of the ring: memcached-1 ejected; migration 50%',
      '2025-01-01T00:00:02.000Z +  2.0s  totals: 2,000 ops (1,000/s), hit rate 94.0%, errors 3 (ERR_CONNECTION 3), wrong values 0, stale reads 0; out of the ring: memcached-1 ejected; migration 50%',
      '2025-01-01T00:00:02.100Z +  2.1s  totals: 2,000 ops (1,000/s), hit rate 94.0%, errors 3 (ERR_CONNECTION 3), wrong values 0, stale reads 0; out of the ring: memcached-1 ejected; migration 50%',
    ]);
  });
});

describe('the dashboard', () => {
  const terminal = (columns = 120): Terminal & { text: string } => {
    const screen = {
      text: '',
      columns,
      write(chunk: string) {
        screen.text += chunk;
      },
    };
    return screen;
  };

  it('redraws the same block in place: cursor back up over the last frame, lines cleared', () => {
    const screen = terminal();
    const renderer = new DashboardRenderer(screen, 'shardcache demo');
    renderer.event({ type: 'killed', atMs: 1500, node: 'memcached-1', pid: 12 });
    renderer.frame(frame(1000));
    const first = screen.text;
    const height = first.split('\n').length - 1;
    renderer.frame(frame(2000));
    const second = screen.text.slice(first.length);
    renderer.close(frame(3000));
    const last = screen.text.slice(first.length + second.length);
    expect(first.startsWith('\x1b[?25l')).toBe(true);
    expect(second.startsWith(`\x1b[${height}F`)).toBe(true);
    expect(last.endsWith('\x1b[?25h')).toBe(true);
    expect(second).toContain('Ctrl-C stops the demo');
    expect(last).not.toContain('Ctrl-C stops the demo');
    const plain = second.replace(ANSI, '');
    expect(plain).toContain('phase 2/5: a node dies (SIGKILL)');
    expect(plain).toMatch(/memcached-1\s+127\.0\.0\.1:1001\s+12\s+ejected/);
    expect(plain).toContain('killing memcached-1 (SIGKILL to pid 12)');
    expect(plain).toMatch(/migration \[#{15}\.{15}\] 50%/);
  });

  it('colours states on a terminal, and nothing with NO_COLOR', () => {
    const previous = { NO_COLOR: process.env['NO_COLOR'], TERM: process.env['TERM'] };
    try {
      Reflect.deleteProperty(process.env, 'NO_COLOR');
      process.env['TERM'] = 'xterm-256color';
      const coloured = terminal();
      new DashboardRenderer(coloured, 'demo').frame(frame(1000));
      expect(coloured.text).toMatch(COLOUR);
      process.env['NO_COLOR'] = '1';
      const plain = terminal();
      new DashboardRenderer(plain, 'demo').frame(frame(1000));
      expect(plain.text).not.toMatch(COLOUR);
    } finally {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
    }
  });

  it('cuts lines to the terminal width so redrawing never wraps', () => {
    const screen = terminal(40);
    new DashboardRenderer(screen, 'shardcache demo').frame(frame(1000));
    const lines = screen.text.replace(ANSI, '').split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(39);
  });
});
