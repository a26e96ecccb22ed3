import { parseArgs } from 'node:util';
import { startFleet } from '@shardcache/chaos';
import { ShardedClient } from '@shardcache/client';
import { benchWorkload, preloadKeys, WORKLOADS, type ClientBenchResult, type Workload } from '../bench/client-bench.js';
import { benchNodes, benchRing, type RingBenchResult } from '../bench/ring-bench.js';
import { UsageError } from '../errors.js';
import { systemClock } from '../internal/clock.js';
import { watchInterrupts } from '../internal/interrupt.js';
import { backendOption, integerOption, secondsOption } from '../internal/options.js';
import { count, seconds, table } from '../internal/output.js';
import { ProgressBar } from '../internal/progress-bar.js';
import { algorithm, ALGORITHMS } from '../internal/ring-args.js';
import type { CliOutput } from '../main.js';

export const BENCH_HELP = `Usage: shardcache bench ring [options]
       shardcache bench client [options]

bench ring: lookups per second of each ring algorithm over N keys ("user:0", ...), the
median time to build it, and balance (the busiest node's keys over the mean). No servers.

  --nodes N            nodes in the ring, 1-10000 (default 100)
  --keys N             keys looked up, 1000-10000000 (default 200000)
  --algorithms LIST    default all: ${ALGORITHMS.join(', ')}

bench client: starts a local fleet (free loopback ports, stopped at the end), writes the keys,
then runs each workload flat out through ShardedClient: get (a present key), set (a value of
--value-bytes), mget (getMany of 100 keys). Calls per second, p50 and p99 latency in ms.

  --backend NAME       memcached (default) or redis
  --nodes N            servers, 1-16 (default 4)
  --concurrency N      calls in flight, 1-1024 (default 64)
  --duration SECONDS   per workload, 0.5-600 (default 3)
  --workloads LIST     default get,set,mget
  --keys N             distinct keys, 100-1000000 (default 10000)
  --value-bytes N      1-1048576 (default 100)

Both: a progress bar on a terminal (stderr), a table at the end, or --json.
  --json
  --help`;

/** `shardcache bench ring|client ...`: resolves with the exit code. */
export async function benchCommand(argv: readonly string[], output: CliOutput): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === 'ring') {
    benchRings(rest, output);
    return 0;
  }
  if (kind === 'client') return benchClient(rest, output);
  throw new UsageError(kind === undefined ? 'bench needs "ring" or "client"' : `unknown benchmark "${kind}" (expected ring or client)`);
}

function benchRings(argv: readonly string[], output: CliOutput): void {
  const { values } = parseArgs({
    args: [...argv],
    options: { nodes: { type: 'string', default: '100' }, keys: { type: 'string', default: '200000' }, algorithms: { type: 'string', default: ALGORITHMS.join(',') }, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const nodes = benchNodes(integerOption('--nodes', values.nodes, 1, 10_000));
  const keyCount = integerOption('--keys', values.keys, 1000, 10_000_000);
  const algorithms = values.algorithms.split(',').map((name) => algorithm(name.trim()));
  const keys = Array.from({ length: keyCount }, (_, i) => `user:${i}`);
  const progress = new ProgressBar(output.status, 'bench ring');
  const results: RingBenchResult[] = [];
  for (const [index, name] of algorithms.entries()) {
    progress.update(index / algorithms.length, name);
    results.push(benchRing(name, nodes, keys));
  }
  progress.done();
  if (values.json) {
    output.out(JSON.stringify(results));
    return;
  }
  output.out(`${count(nodes.length)} nodes, ${count(keyCount)} keys, node ${process.version}`);
  output.out(table(['algorithm', 'lookups/s', 'build ms', 'max/mean'], results.map((r) => [r.algorithm, count(r.lookupsPerSecond), r.buildMs.toFixed(2), r.maxOverMean.toFixed(3)])));
}

async function benchClient(argv: readonly string[], output: CliOutput): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      backend: { type: 'string', default: 'memcached' },
      nodes: { type: 'string', default: '4' },
      concurrency: { type: 'string', default: '64' },
      duration: { type: 'string', default: '3' },
      workloads: { type: 'string', default: WORKLOADS.join(',') },
      keys: { type: 'string', default: '10000' },
      'value-bytes': { type: 'string', default: '100' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const backend = backendOption(values.backend);
  const nodes = integerOption('--nodes', values.nodes, 1, 16);
  const options = {
    concurrency: integerOption('--concurrency', values.concurrency, 1, 1024),
    durationMs: secondsOption('--duration', values.duration, 0.5, 600),
    keys: integerOption('--keys', values.keys, 100, 1_000_000),
    valueBytes: integerOption('--value-bytes', values['value-bytes'], 1, 1_048_576),
    clock: systemClock,
  };
  const workloads = values.workloads.split(',').map((name) => workload(name.trim()));
  if (!values.json) output.out(`bench client: ${nodes} ${backend} server${nodes === 1 ? '' : 's'} on free loopback ports, concurrency ${options.concurrency}, ${seconds(options.durationMs)} per workload`);

  const interrupts = watchInterrupts();
  const fleet = await startFleet({ [backend]: nodes, proxy: false });
  const client = new ShardedClient({ backend, nodes: fleet.servers.map((server) => server.address) });
  const progress = new ProgressBar(output.status, 'bench client');
  const started = systemClock.now();
  const total = options.durationMs * workloads.length;
  const ticker = setInterval(() => progress.update((systemClock.now() - started) / total), 200);
  const results: ClientBenchResult[] = [];
  try {
    await preloadKeys(client, options.keys, options.valueBytes);
    for (const name of workloads) {
      if (interrupts.signal.aborted) break;
      results.push(await benchWorkload(client, name, options, interrupts.signal));
    }
  } finally {
    clearInterval(ticker);
    progress.done();
    await client.close();
    await fleet.stop();
    interrupts.dispose();
  }
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  if (values.json) {
    output.out(JSON.stringify(results));
    return 0;
  }
  output.out(
    table(
      ['workload', 'calls/s', 'p50 ms', 'p99 ms', 'calls', 'errors'],
      results.map((r) => [r.workload === 'mget' ? 'mget x100' : r.workload, count(r.callsPerSecond), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), count(r.calls), r.errors === 0 ? '0' : `${r.errors} (${Object.entries(r.errorsByCode).map(([code, n]) => `${code} ${n}`).join(', ')})`]),
    ),
  );
  return 0;
}

function workload(name: string): Workload {
  const found = WORKLOADS.find((known) => known === name);
  if (found === undefined) throw new UsageError(`--workloads: unknown workload "${name}" (expected ${WORKLOADS.join(', ')})`);
  return found;
}
