import { count, countsByCode, percent } from '../internal/output.js';
import type { DemoFrame } from './demo-monitor.js';
import type { DemoRenderer } from './demo-renderer.js';
import { describeEvent, type StoryEvent } from './story-events.js';

/**
 * The demo for logs: one timestamped line per story event (ISO time, then seconds since the
 * start), and a totals line every `totalsEveryMs`. No colours, no cursor movement.
 */
export class PlainRenderer implements DemoRenderer {
  readonly #print: (line: string) => void;
  readonly #startedAt: number;
  readonly #totalsEveryMs: number;
  #lastTotalsAt = 0;

  /** `startedAt`: wall-clock ms (Date.now()) when the story began. */
  constructor(print: (line: string) => void, startedAt: number, totalsEveryMs: number) {
    this.#print = print;
    this.#startedAt = startedAt;
    this.#totalsEveryMs = totalsEveryMs;
  }

  event(event: StoryEvent): void {
    const text = describeEvent(event);
    if (text !== undefined) this.#line(event.atMs, text);
  }

  frame(frame: DemoFrame): void {
    if (frame.atMs - this.#lastTotalsAt < this.#totalsEveryMs) return;
    this.#lastTotalsAt = frame.atMs;
    this.#line(frame.atMs, totalsLine(frame));
  }

  /** The final totals, whatever the interval. */
  close(last: DemoFrame): void {
    this.#line(last.atMs, totalsLine(last));
  }

  #line(atMs: number, text: string): void {
    this.#print(`${new Date(this.#startedAt + atMs).toISOString()} +${(atMs / 1000).toFixed(1).padStart(5)}s  ${text}`);
  }
}

/** `totals: 23,456 ops (1,998/s), hit rate 97.9%, errors 12 (...), wrong 0, stale 0; out: memcached-1; migration 52%`. */
export function totalsLine(frame: DemoFrame): string {
  const { totals } = frame;
  const out = frame.nodes.filter((node) => node.state === 'ejected' || node.state === 'down' || node.state === 'draining').map((node) => `${node.id} ${node.state}`);
  const migration = frame.migration === undefined ? '' : `; migration ${migrationShare(frame.migration) === undefined ? `${count(frame.migration.scanned)} keys scanned` : percent(migrationShare(frame.migration) ?? 0, 0)}`;
  return [
    `totals: ${count(totals.ops)} ops (${count(totals.opsPerSecond)}/s)`,
    `hit rate ${totals.hitRate === undefined ? '-' : percent(totals.hitRate, 1)}`,
    `errors ${count(totals.errors)}${totals.errors === 0 ? '' : ` (${countsByCode(totals.errorsByCode)})`}`,
    `wrong values ${count(totals.wrong)}`,
    `stale reads ${count(totals.stale)}`,
  ].join(', ') + (out.length === 0 ? '' : `; out of the ring: ${out.join(', ')}`) + migration;
}

/** Share of the migration done, when its total is known. */
export function migrationShare(status: { readonly scanned: number; readonly total: number | undefined }): number | undefined {
  return status.total === undefined || status.total === 0 ? undefined : Math.min(1, status.scanned / status.total);
}
