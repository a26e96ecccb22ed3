import type { ShardedClient } from '@shardcache/client';
import { errorCode, type Clock } from '@shardcache/health';
import { percentile } from '../internal/percentile.js';

/** The workloads `bench client` runs. */
export const WORKLOADS = ['get', 'set', 'mget'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** What one workload did. */
export interface ClientBenchResult {
  readonly workload: Workload;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
}

/** How `benchWorkload` loads the fleet. */
export interface ClientBenchOptions {
  readonly keys: number;
  readonly valueBytes: number;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly clock: Clock;
  readonly random?: () => number;
}

/** Keys of a multi-get call, as in the peer benchmarks. */
export const MGET_KEYS = 100;
const PRELOAD_BATCH = 1000;

/** Writes every benchmark key once, so gets hit. */
export async function preloadKeys(client: ShardedClient, keys: number, valueBytes: number): Promise<void> {
  const value = 'v'.repeat(valueBytes);
  for (let start = 0; start < keys; start += PRELOAD_BATCH) {
    const entries = Array.from({ length: Math.min(PRELOAD_BATCH, keys - start) }, (_, i) => ({ key: `bench:${start + i}`, value }));
    await client.setMany(entries);
  }
}

/**
 * Runs one workload flat out at `concurrency` for `durationMs` (or until `signal` aborts):
 * `get` of a present key, `set` of a `valueBytes` value, `mget` of 100 keys. Latency per call.
 */
export async function benchWorkload(client: ShardedClient, workload: Workload, options: ClientBenchOptions, signal: AbortSignal): Promise<ClientBenchResult> {
  const { keys, clock, durationMs, concurrency } = options;
  const random = options.random ?? Math.random;
  const value = 'v'.repeat(options.valueBytes);
  const key = (): string => `bench:${Math.floor(random() * keys)}`;
  const call: () => Promise<unknown> =
    workload === 'get' ? () => client.get(key()) : workload === 'set' ? () => client.set(key(), value) : () => client.getMany(Array.from({ length: MGET_KEYS }, key), { throwOnPartialFailure: true });
  const latencies: number[] = [];
  const errorsByCode = new Map<string, number>();
  const started = clock.now();
  const deadline = started + durationMs;
  const worker = async (): Promise<void> => {
    while (!signal.aborted && clock.now() < deadline) {
      const begin = clock.now();
      try {
        await call();
        latencies.push(clock.now() - begin);
      } catch (error) {
        const code = errorCode(error);
        errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = Math.max(clock.now() - started, 1e-3);
  const sorted = Float64Array.from(latencies).sort();
  const errors = [...errorsByCode.values()].reduce((sum, n) => sum + n, 0);
  return {
    workload,
    calls: latencies.length,
    callsPerSecond: (latencies.length / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    errors,
    errorsByCode: Object.fromEntries(errorsByCode),
  };
}
