import type { ScenarioPage } from '@shardcache/chaos';
import { count, countsByCode, percent, seconds } from '../internal/output.js';
import type { StoryEvent } from './story-events.js';
import type { LoadTotals } from './versioned-load.js';

/** What `shardcache demo` did, as its summary shows it. */
export interface DemoSummary {
  readonly backend: 'memcached' | 'redis';
  readonly durationMs: number;
  readonly totals: LoadTotals;
  readonly events: readonly StoryEvent[];
  /** Every server PID the demo started (restarts included), all stopped when it returns. */
  readonly pids: readonly number[];
  /** Whether Ctrl-C or SIGTERM ended it early. */
  readonly interrupted: boolean;
  /** With `--html`: what the page shows (plain JSON, `renderScenarioPage` draws it). */
  readonly page?: ScenarioPage;
}

/** The short name of an event in the summary's list, or undefined for those it leaves out. */
function label(event: StoryEvent): string | undefined {
  switch (event.type) {
    case 'killed':
    case 'ejected':
    case 'restarted':
    case 'restored':
    case 'added':
    case 'draining':
    case 'removed':
      return `${event.type} ${event.node}`;
    case 'migrated':
      return `migrated ${count(event.status.moved)} keys off ${event.node}${event.completed ? '' : ' (stopped)'}`;
    case 'warmed':
      return `warm-up served ${count(event.reads)} reads`;
    case 'waited':
      return `no ${event.what} of ${event.node}`;
    default:
      return undefined;
  }
}

/** The summary, one line each: ops, hit rate, errors by code, wrong values, events, servers. */
export function summaryLines(summary: DemoSummary): string[] {
  const { totals } = summary;
  const reads = totals.hits + totals.misses;
  const events = summary.events.flatMap((event) => {
    const text = label(event);
    return text === undefined ? [] : [`${text} (${seconds(event.atMs)})`];
  });
  return [
    `summary${summary.interrupted ? ' (interrupted)' : ''}`,
    `  ops           ${count(totals.ops)} in ${seconds(summary.durationMs)} (${count(totals.ops / Math.max(summary.durationMs / 1000, 1e-3))}/s): ${count(totals.gets)} gets, ${count(totals.sets)} sets`,
    `  hit rate      ${reads === 0 ? '-' : percent(totals.hits / reads, 1)} (${count(totals.hits)} hits, ${count(totals.misses)} misses)`,
    `  errors        ${count(totals.errors)}${totals.errors === 0 ? '' : ` (${countsByCode(totals.errorsByCode)})`}`,
    `  wrong values  ${count(totals.wrong)}`,
    `  stale reads   ${count(totals.stale)}`,
    `  events        ${events.length === 0 ? '-' : events.join(', ')}`,
    `  servers       ${summary.pids.length} started and stopped (pids ${summary.pids.join(', ')})`,
  ];
}
