import { sleep, type Clock } from '@shardcache/health';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fleetNames, renderScenarioPage, startFleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient } from '@shardcache/client';
import { DashboardRenderer } from '../demo/dashboard-renderer.js';
import { DemoMonitor } from '../demo/demo-monitor.js';
import { demoPage } from '../demo/demo-page.js';
import type { DemoRenderer } from '../demo/demo-renderer.js';
import { FleetStage } from '../demo/demo-stage.js';
import { playStory, storySchedule, type StoryPhase } from '../demo/demo-story.js';
import { summaryLines, type DemoSummary } from '../demo/demo-summary.js';
import { PlainRenderer } from '../demo/plain-renderer.js';
import { ServerKeyCounts } from '../demo/server-key-counts.js';
import type { StoryEvent } from '../demo/story-events.js';
import { VersionedLoad, type LoadCall, type LoadTarget } from '../demo/versioned-load.js';
import { systemClock } from '../internal/clock.js';
import { watchInterrupts } from '../internal/interrupt.js';
import { backendOption, integerOption, outputFileOption, secondsOption, type Backend } from '../internal/options.js';
import { count, seconds } from '../internal/output.js';
import type { CliOutput } from '../main.js';

export const DEMO_HELP = `Usage: shardcache demo [--backend memcached|redis] [--duration SECONDS] [--no-tty] [options]

Starts a local fleet on free loopback ports (the ring's servers plus a spare), runs a paced
read/write load through ShardedClient, and plays a short story on a live dashboard:
  1. steady state
  2. a node is killed (SIGKILL) and the client ejects it
  3. it is restarted: probes pass, rejoin safety purges what it missed, it serves again
  4. the spare joins the ring, with warm-up from the keys' previous owners
  5. a node is drained, its keys migrated (progress bar), and it is removed
It ends by itself, stops every server it started (also on Ctrl-C or SIGTERM) and prints a
summary. Values encode key and version, so wrong and stale reads are counted.

  --backend NAME      memcached (default) or redis
  --nodes N           servers in the ring, 3-12 (default 4); one more starts as the spare
  --duration SECONDS  length of the story, 5-3600 (default 60); every phase scales with it
  --keys N            keys in the load, 100-100000 (default 2000)
  --rate OPS          calls started per second at most, 100-50000 (default 2000)
  --no-tty            plain timestamped lines (also whenever stdout is not a terminal)
  --html FILE         also write the story as a self-contained HTML page: timelines of
                      throughput, errors, hit rate and latency per node, the kill shaded,
                      ejection, restore, joins, warm-up and migration marked, the checks
  --help

Exit codes: 0 done with no wrong value read, 1 a wrong value was read (or a failure),
2 bad arguments, 130 / 143 stopped by SIGINT / SIGTERM (servers stopped all the same).`;

/** What `shardcache demo` runs. */
export interface DemoOptions {
  readonly backend: Backend;
  /** Servers in the ring; one more is started as the spare the story adds. */
  readonly nodes: number;
  readonly durationMs: number;
  readonly keys: number;
  readonly opsPerSecond: number;
  /** Plain lines even on a terminal. */
  readonly plain: boolean;
  /** Also write the story as an HTML page to this file. */
  readonly html?: string;
  readonly clock?: Clock;
}

const DASHBOARD_TICK_MS = 250;
const LOAD_CONCURRENCY = 16;

/** `shardcache demo ...`: resolves with the exit code. */
export async function demoCommand(argv: readonly string[], output: CliOutput): Promise<number> {
  const options = parseDemoArgs(argv);
  const interrupts = watchInterrupts();
  try {
    const summary = await runDemo(options, output, interrupts.signal);
    if (interrupts.exitCode !== undefined) return interrupts.exitCode;
    if (summary.totals.wrong > 0) {
      output.err(`shardcache demo: ${summary.totals.wrong} wrong values were read`);
      return 1;
    }
    return 0;
  } finally {
    interrupts.dispose();
  }
}

function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      backend: { type: 'string', default: 'memcached' },
      nodes: { type: 'string', default: '4' },
      duration: { type: 'string', default: '60' },
      keys: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '2000' },
      'no-tty': { type: 'boolean', default: false },
      html: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    backend: backendOption(values.backend),
    nodes: integerOption('--nodes', values.nodes, 3, 12),
    durationMs: secondsOption('--duration', values.duration, 5, 3600),
    keys: integerOption('--keys', values.keys, 100, 100_000),
    opsPerSecond: integerOption('--rate', values.rate, 100, 50_000),
    plain: values['no-tty'],
    ...(values.html === undefined ? {} : { html: outputFileOption('--html', values.html) }),
  };
}

/**
 * The demo: starts the fleet, loads the keys, plays the story under load on a dashboard (or
 * in plain lines), stops every server it started and prints the summary. `signal` ends it
 * early; the servers are stopped all the same.
 *
 * @example
 * const summary = await runDemo({ backend: 'redis', nodes: 4, durationMs: 10_000, keys: 2000, opsPerSecond: 2000, plain: true }, output);
 * console.log(summary.totals.wrong); // 0
 */
export async function runDemo(options: DemoOptions, output: CliOutput, signal: AbortSignal = new AbortController().signal): Promise<DemoSummary> {
  const { backend, nodes, keys, durationMs } = options;
  const clock = options.clock ?? systemClock;
  const print = output.out;
  const screen = options.plain ? undefined : output.screen;
  const phases = storySchedule(durationMs);
  // Warm-up lasts as long as the phase in which the spare joins.
  const joining = phases.find((phase) => phase.name === 'add');
  print(`shardcache demo: starting ${nodes + 1} ${backend} servers on free loopback ports (${nodes} in the ring, 1 spare)`);
  const fleet = await startFleet({ [backend]: nodes + 1, proxy: false });
  const servers = backend === 'redis' ? fleet.redis : fleet.memcached;
  const pids = servers.map((server) => server.pid);
  const events: StoryEvent[] = [];
  // Only for the page: a minute at 2,000 calls/s is 120,000 small records.
  const calls: LoadCall[] = [];
  const load = new VersionedLoad({ keys, opsPerSecond: options.opsPerSecond, concurrency: LOAD_CONCURRENCY, clock, ...(options.html === undefined ? {} : { onCall: (call: LoadCall) => calls.push(call) }) });
  const nameOf = fleetNames(servers);
  const health = { serverFailureLimit: 2, serverRetryTimeout: 300, maxEjectionMs: 600, probeIntervalMs: 100, probeJitter: 0, successThreshold: 2 };
  const clientSettings = { backend, defaultTtl: 900, timeoutMs: 250, health, rejoin: { stableMs: 200 }, warmupMs: Math.max(1, (joining?.endMs ?? 0) - (joining?.startMs ?? 0)) };
  let story = { startedAt: clock.now(), lengthMs: 0 };
  try {
    servers.forEach((server, index) => print(`  ${server.id}  ${server.address}  pid ${server.pid}  ${index < nodes ? 'ring' : 'spare'}`));
    // Quick to notice a dead node and to trust a returning one, so each phase fits in seconds.
    const client = new ShardedClient({ ...clientSettings, nodes: servers.slice(0, nodes).map((server) => server.address) });
    try {
      const target: LoadTarget = {
        get: (key) => client.get(key),
        set: (key, value) => client.set(key, value),
        add: (key, value) => client.add(key, value),
        setMany: async (entries) => (await client.setMany(entries)).failures.map((failure) => failure.key),
        locate: (key) => {
          const address = client.locate(key);
          return address === undefined ? undefined : nameOf(address);
        },
      };
      await load.preload(target);
      print(`  ${count(keys)} keys written; the story takes ${seconds(durationMs)}, load at most ${count(options.opsPerSecond)} calls/s`);
      story = await playUnderLoad({ options, clock, signal, events, client, target, load, servers, phases, screen, print });
    } finally {
      await client.close();
    }
  } finally {
    await fleet.stop();
  }
  for (const event of events) if (event.type === 'restarted') pids.push(event.pid);
  const summary: DemoSummary = { backend, durationMs: story.lengthMs, totals: load.totals, events, pids, interrupted: signal.aborted };
  for (const line of summaryLines(summary)) print(line);
  if (options.html === undefined) return summary;
  const settings = { demo: { nodes, spare: 1, durationMs, keys, opsPerSecond: options.opsPerSecond, concurrency: LOAD_CONCURRENCY }, client: clientSettings };
  const page = demoPage({ summary, calls, startedAt: story.startedAt, settings });
  writeFileSync(options.html, renderScenarioPage(page));
  print(`  page          ${options.html}`);
  return { ...summary, page };
}

interface Show {
  readonly options: DemoOptions;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly events: StoryEvent[];
  readonly client: ShardedClient;
  readonly target: LoadTarget;
  readonly load: VersionedLoad;
  /** The ring's servers, then the spare. */
  readonly servers: readonly FleetNode[];
  readonly phases: readonly StoryPhase[];
  readonly screen: CliOutput['screen'];
  readonly print: (line: string) => void;
}

/** The story with the load, the key counts and the renderer running around it; resolves with when it began (on the clock) and its length. */
async function playUnderLoad(show: Show): Promise<{ startedAt: number; lengthMs: number }> {
  const { options, clock, signal, events, client, target, load, servers, phases, screen, print } = show;
  const origin = clock.now();
  const at = (): number => clock.now() - origin;
  const renderer: DemoRenderer =
    screen === undefined
      ? new PlainRenderer(print, Date.now(), Math.min(5000, Math.max(1000, options.durationMs / 12)))
      : new DashboardRenderer(screen, `shardcache demo: ${options.nodes} ${options.backend} nodes + 1 spare, ${count(options.keys)} keys`);
  const keyCounts = new ServerKeyCounts(options.backend, servers);
  const monitor = new DemoMonitor({ client, nodes: () => stage.nodes, totals: () => load.totals, keys: (id) => keyCounts.get(id) }, options.durationMs);
  const emit = (event: StoryEvent): void => {
    events.push(event);
    monitor.note(event);
    renderer.event(event);
  };
  const stage = new FleetStage(servers, client, options.keys, emit, at);
  const background = new AbortController();
  const running = [
    load.run(target, background.signal),
    keyCounts.run(clock, 1000, background.signal),
    (async () => {
      while (!background.signal.aborted) {
        renderer.frame(monitor.frame(at()));
        await sleep(clock, DASHBOARD_TICK_MS, background.signal);
      }
    })(),
  ];
  try {
    await playStory(stage, phases, { clock, signal, emit });
  } finally {
    background.abort();
    await Promise.all(running);
    renderer.close(monitor.frame(at()));
  }
  return { startedAt: origin, lengthMs: at() };
}
