import type { ShardedClient } from '@shardcache/client';
import type { NodeState } from './demo-stage.js';
import type { MigrationStatus, StoryEvent } from './story-events.js';
import type { LoadTotals } from './versioned-load.js';

/** One node's line on the dashboard; rates over the last couple of seconds. */
export interface NodeRow {
  readonly id: string;
  readonly address: string;
  readonly pid: number;
  readonly state: NodeState;
  readonly opsPerSecond: number;
  readonly hitRate: number | undefined;
  readonly p99Ms: number | undefined;
  readonly keys: number | undefined;
}

/** What the dashboard and the periodic totals line show at one moment. */
export interface DemoFrame {
  readonly atMs: number;
  readonly durationMs: number;
  readonly phase: { readonly index: number; readonly count: number; readonly title: string } | undefined;
  readonly nodes: readonly NodeRow[];
  /** Counts since the start, plus rates over the last couple of seconds. */
  readonly totals: LoadTotals & { readonly opsPerSecond: number; readonly hitRate: number | undefined };
  /** While a migration runs. */
  readonly migration: (MigrationStatus & { readonly node: string }) | undefined;
}

/** Where a frame's numbers come from. */
export interface MonitorSources {
  readonly client: ShardedClient;
  readonly nodes: () => readonly { readonly id: string; readonly address: string; readonly pid: number; readonly state: NodeState }[];
  readonly totals: () => LoadTotals;
  readonly keys: (id: string) => number | undefined;
}

interface Sample {
  readonly atMs: number;
  readonly nodes: ReadonlyMap<string, { readonly calls: number; readonly hits: number; readonly misses: number }>;
  readonly ops: number;
  readonly hits: number;
  readonly misses: number;
}

const WINDOW_MS = 2000;

/**
 * Turns the client's counters (cumulative) into per-node rates over a sliding window, and
 * follows the story's events for the phase and the migration's progress.
 */
export class DemoMonitor {
  readonly #sources: MonitorSources;
  readonly #durationMs: number;
  readonly #samples: Sample[] = [];
  #phase: DemoFrame['phase'];
  #migration: DemoFrame['migration'];

  constructor(sources: MonitorSources, durationMs: number) {
    this.#sources = sources;
    this.#durationMs = durationMs;
  }

  /** Follows the story: the phase shown, and the migration while it runs. */
  note(event: StoryEvent): void {
    if (event.type === 'phase') this.#phase = { index: event.index, count: event.count, title: event.title };
    else if (event.type === 'migration') this.#migration = { ...event.status, node: event.node };
    else if (event.type === 'migrated') this.#migration = undefined;
  }

  /** A frame as of `atMs` (ms since the story started). */
  frame(atMs: number): DemoFrame {
    const { client, nodes, totals: readTotals, keys } = this.#sources;
    const stats = client.stats;
    const totals = readTotals();
    const sample: Sample = {
      atMs,
      nodes: new Map(Object.entries(stats.nodes).map(([address, node]) => [address, { calls: node.calls, hits: node.hits, misses: node.misses }])),
      ops: totals.ops,
      hits: totals.hits,
      misses: totals.misses,
    };
    this.#samples.push(sample);
    while (this.#samples.length > 2 && (this.#samples[1]?.atMs ?? atMs) <= atMs - WINDOW_MS) this.#samples.shift();
    const oldest = this.#samples[0] ?? sample;
    const seconds = Math.max((atMs - oldest.atMs) / 1000, 1e-3);
    const rows = nodes().map((node): NodeRow => {
      const now = sample.nodes.get(node.address);
      const then = oldest.nodes.get(node.address) ?? { calls: 0, hits: 0, misses: 0 };
      const reads = now === undefined ? 0 : now.hits - then.hits + (now.misses - then.misses);
      return {
        ...node,
        opsPerSecond: now === undefined || sample === oldest ? 0 : (now.calls - then.calls) / seconds,
        hitRate: now === undefined || reads === 0 ? undefined : (now.hits - then.hits) / reads,
        p99Ms: stats.nodes[node.address]?.p99,
        keys: keys(node.id),
      };
    });
    const reads = sample.hits - oldest.hits + (sample.misses - oldest.misses);
    return {
      atMs,
      durationMs: this.#durationMs,
      phase: this.#phase,
      nodes: rows,
      totals: { ...totals, opsPerSecond: sample === oldest ? 0 : (sample.ops - oldest.ops) / seconds, hitRate: reads === 0 ? undefined : (sample.hits - oldest.hits) / reads },
      migration: this.#migration,
    };
  }
}
