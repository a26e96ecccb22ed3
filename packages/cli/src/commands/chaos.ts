import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  applyFault,
  FaultProxy,
  fleetNames,
  formatReport,
  recordClientEvents,
  renderScenarioPage,
  runScenario,
  startFleet,
  type ActiveFault,
  type Fleet,
  type FaultCounters,
  type NetworkFault,
  type ScenarioPage,
  type ScenarioReport,
  type TimelineEvent,
} from '@shardcache/chaos';
import { parseNodeSpec, ShardedClient } from '@shardcache/client';
import { checkScenario, PLANS, SCENARIOS, type ScenarioCheck, type ScenarioName, type ScenarioPlan } from '../chaos/chaos-scenarios.js';
import { UsageError } from '../errors.js';
import { systemClock } from '../internal/clock.js';
import { aborted, watchInterrupts } from '../internal/interrupt.js';
import { backendOption, integerOption, outputFileOption, secondsOption, type Backend } from '../internal/options.js';
import { seconds } from '../internal/output.js';
import { ProgressBar } from '../internal/progress-bar.js';
import { serverList } from '../internal/ring-args.js';
import type { CliOutput } from '../main.js';

export const CHAOS_HELP = `Usage: shardcache chaos <scenario> [--backend memcached|redis] [--nodes N] [--duration SECONDS] [options]

Runs a chaos scenario against a local fleet (free loopback ports, stopped at the end): a
paced read/write load through ShardedClient while the fault plays, then the report table and
the checks. Exits 0 when every check holds, 1 when one does not.

Scenarios:
${SCENARIOS.map((name) => `  ${name.padEnd(10)}  ${PLANS[name].summary}`).join('\n')}

Checks: no wrong value read, no stale value read, no call hung past its deadline, every
failure carries a client error code, the fault took effect (its counter), and for faults that
end, calls succeed again afterwards.

  --backend NAME      memcached (default) or redis
  --nodes N           servers in the local fleet, 2-12 (default 4)
  --duration SECONDS  length of the load, 2-600 (default 8)
  --concurrency N     calls in flight, 1-256 (default 16)
  --rate N            start N calls per second whatever the answers take (an open loop,
                      at most --concurrency in flight; skipped starts are counted), 1-100000;
                      default: a closed loop of --concurrency callers
  --keys N            distinct keys, 1-100000 (default 100)
  --servers LIST      run against these servers instead (host:port,...): only latency,
                      blackhole and corrupt, played by a fault proxy in front of the first
                      server; writes keys "shardcache-chaos:<run>:key-N" with a 60 s TTL
  --json              the report and the checks as one JSON object
  --html FILE         also write the run as a self-contained HTML page: timelines of
                      throughput, errors, hit rate and latency per node, the fault shaded,
                      the client's ejections and restores marked, the checks, the settings
  --help`;

/** The load's per-call bound: far above any client deadline, so a call that reaches it hung. */
const CALL_TIMEOUT_MS = 2000;

/** What `shardcache chaos` did. */
export interface ChaosResult {
  readonly scenario: ScenarioName;
  readonly backend: Backend;
  readonly nodes: readonly string[];
  readonly victims: readonly string[];
  readonly report: ScenarioReport;
  readonly checks: readonly ScenarioCheck[];
  readonly passed: boolean;
  /** What the client announced during the load (ejections, restores), on the report's time axis. */
  readonly events: readonly TimelineEvent[];
  /** The settings in force: the client's and the load's. */
  readonly settings: Readonly<Record<string, unknown>>;
}

interface ChaosOptions {
  readonly plan: ScenarioPlan;
  readonly backend: Backend;
  readonly nodes: number;
  readonly durationMs: number;
  readonly concurrency: number;
  readonly ratePerSec: number | undefined;
  readonly keys: number;
  readonly servers: readonly string[] | undefined;
  readonly json: boolean;
  /** Where to write the run's HTML page. */
  readonly html: string | undefined;
}

/** `shardcache chaos <scenario> ...`: resolves with the exit code. */
export async function chaosCommand(argv: readonly string[], output: CliOutput): Promise<number> {
  const options = parseChaosArgs(argv);
  const interrupts = watchInterrupts();
  try {
    const result = await runChaos(options, output, interrupts.signal);
    if (result === undefined || interrupts.exitCode !== undefined) return interrupts.exitCode ?? 130;
    if (options.html !== undefined) writeFileSync(options.html, renderScenarioPage(scenarioPage(result)));
    if (options.json) output.out(JSON.stringify(result));
    else printResult(result, output);
    if (options.html !== undefined && !options.json) output.out(`page: ${options.html}`);
    return result.passed ? 0 : 1;
  } finally {
    interrupts.dispose();
  }
}

function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      backend: { type: 'string', default: 'memcached' },
      nodes: { type: 'string', default: '4' },
      duration: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '16' },
      rate: { type: 'string' },
      keys: { type: 'string', default: '100' },
      servers: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError(`chaos needs a scenario: ${SCENARIOS.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`chaos runs one scenario, got also "${extra.join(' ')}"`);
  const scenario = SCENARIOS.find((known) => known === name);
  if (scenario === undefined) throw new UsageError(`unknown scenario "${name}" (expected ${SCENARIOS.join(', ')})`);
  const plan = PLANS[scenario];
  const servers = values.servers === undefined ? undefined : serverList(values.servers);
  if (servers !== undefined && plan.localOnly) {
    throw new UsageError(`--servers: "${scenario}" needs a fleet this command starts (it signals server processes or needs their fault proxies); with --servers only latency, blackhole and corrupt run`);
  }
  const nodes = integerOption('--nodes', values.nodes, 2, 12);
  return {
    plan,
    backend: backendOption(values.backend),
    nodes,
    durationMs: secondsOption('--duration', values.duration, 2, 600),
    concurrency: integerOption('--concurrency', values.concurrency, 1, 256),
    ratePerSec: values.rate === undefined ? undefined : integerOption('--rate', values.rate, 1, 100_000),
    keys: integerOption('--keys', values.keys, 1, 100_000),
    servers,
    json: values.json,
    html: values.html === undefined ? undefined : outputFileOption('--html', values.html),
  };
}

/**
 * Starts the fleet (or fault proxies in front of given servers), runs the scenario's load
 * with its faults through a ShardedClient, and checks the report. Everything it started is
 * stopped before it resolves; undefined when `signal` stopped it first.
 */
async function runChaos(options: ChaosOptions, output: CliOutput, signal: AbortSignal): Promise<ChaosResult | undefined> {
  const { plan, backend, durationMs } = options;
  const where = options.servers === undefined ? `a local fleet of ${options.nodes} ${backend} servers` : `${options.servers.length} given ${backend} servers`;
  if (!options.json) output.out(`shardcache chaos ${plan.name}: ${plan.summary}, on ${where}, for ${seconds(durationMs)}`);
  const setup = options.servers === undefined ? await localSetup(options) : await givenSetup(options, options.servers);
  const clientOptions = { backend, nodes: setup.nodes, timeoutMs: plan.timeoutMs, health: plan.health, rejoin: { stableMs: 100 }, defaultTtl: 60 };
  const client = new ShardedClient(clientOptions);
  const progress = new ProgressBar(output.status, `chaos ${plan.name}`);
  const started = systemClock.now();
  // On the report's time axis: the load starts below, within a millisecond of `started`.
  const events = recordClientEvents(client, () => systemClock.now() - started);
  const ticker = setInterval(() => progress.update((systemClock.now() - started) / durationMs, `${seconds(systemClock.now() - started)} of ${seconds(durationMs)}`), 200);
  try {
    if (signal.aborted) return undefined;
    const prefix = options.servers === undefined ? '' : `shardcache-chaos:${Date.now().toString(36)}:`;
    const loadOptions = {
      maxOps: 1_000_000,
      durationMs,
      concurrency: options.concurrency,
      ...(options.ratePerSec === undefined ? {} : { ratePerSec: options.ratePerSec }),
      keys: options.keys,
      callTimeoutMs: CALL_TIMEOUT_MS,
    };
    // The load cannot be cancelled: on Ctrl-C stop waiting for it, then stop everything below.
    const load = runScenario({
      ...loadOptions,
      nodeOf: (key) => {
        const node = client.locate(prefix + key);
        return node === undefined ? undefined : setup.nameOf(node);
      },
      target: {
        get: async (key) => {
          const value = await client.get(prefix + key);
          // Anything but our string (bytes of another writer, a decoded object) is a wrong value.
          return value === undefined || typeof value === 'string' ? value : JSON.stringify(value);
        },
        set: (key, value) => client.set(prefix + key, value),
      },
      faults: setup.victims.map((victim) => ({ atMs: plan.atShare * durationMs, durationMs: plan.forShare * durationMs, apply: victim.apply })),
    });
    const report = await Promise.race([load, aborted(signal).then(() => undefined)]);
    if (report === undefined) return undefined;
    const checks = checkScenario(plan, report, setup.victims.length);
    const settings = { client: clientOptions, load: loadOptions, fault: { ...plan.fault, atMs: plan.atShare * durationMs, forMs: plan.forShare * durationMs } };
    return { scenario: plan.name, backend, nodes: setup.nodes, victims: setup.victims.map((victim) => victim.node), report, checks, passed: checks.every((check) => check.ok), events: events.map((event) => (event.node === undefined ? event : { ...event, node: setup.nameOf(event.node) })), settings };
  } finally {
    clearInterval(ticker);
    progress.done();
    await client.destroy();
    await setup.stop();
  }
}

interface Setup {
  /** What the client connects to: victims through their fault proxy where the fault needs one. */
  readonly nodes: string[];
  /** A client node's name as the faults name it (a fleet's `memcached-1`; a given server's host:port), so a page names each node one way. */
  nameOf(node: string): string;
  readonly victims: { readonly node: string; readonly apply: () => Promise<ActiveFault> }[];
  stop(): Promise<void>;
}

async function localSetup(options: ChaosOptions): Promise<Setup> {
  const { plan } = options;
  const fleet: Fleet = await startFleet({ [options.backend]: options.nodes });
  const servers = options.backend === 'redis' ? fleet.redis : fleet.memcached;
  const victims = new Set(plan.victims(servers.length));
  const viaProxy = plan.fault.type !== 'kill' && plan.fault.type !== 'pause';
  return {
    nodes: servers.map((server, i) => (viaProxy && victims.has(i) ? (server.proxyAddress ?? server.address) : server.address)),
    nameOf: fleetNames(servers),
    victims: servers.filter((_, i) => victims.has(i)).map((server) => ({ node: server.id, apply: () => applyFault(server, plan.fault) })),
    stop: async () => {
      for (const server of servers) if (server.paused) await server.resume();
      await fleet.stop();
    },
  };
}

/** Given servers: a fault proxy in front of the first, played by hand (applyFault needs a fleet node). */
async function givenSetup(options: ChaosOptions, servers: readonly string[]): Promise<Setup> {
  const fault = options.plan.fault;
  if (fault.type === 'kill' || fault.type === 'pause' || fault.type === 'flap') throw new UsageError(`--servers cannot play "${fault.type}"`);
  const [first, ...rest] = servers;
  if (first === undefined) throw new UsageError('--servers needs at least one server');
  const address = parseNodeSpec(first, '--servers');
  const proxy = await FaultProxy.start({ target: { host: address.host, port: address.port } });
  return {
    nodes: [proxy.address, ...rest],
    nameOf: (node) => (node === proxy.address ? address.id : node),
    victims: [{ node: address.id, apply: () => Promise.resolve(playOnProxy(proxy, fault, address.id)) }],
    stop: () => proxy.close(),
  };
}

function playOnProxy(proxy: FaultProxy, fault: NetworkFault, node: string): ActiveFault {
  const before = proxy.counters;
  proxy.setFault(fault);
  return {
    fault,
    node,
    counters: (): FaultCounters => {
      const now = proxy.counters;
      const since = (name: keyof FaultCounters): number => now[name] - before[name];
      return {
        connections: since('connections'), bytesForwarded: since('bytesForwarded'), bytesHeld: since('bytesHeld'), bytesDropped: since('bytesDropped'),
        bytesAltered: since('bytesAltered'), connectionsReset: since('connectionsReset'), requestsFailed: since('requestsFailed'),
        kills: 0, pauses: 0, restarts: 0, flaps: 0,
      };
    },
    revert: () => {
      proxy.setFault(undefined);
      return Promise.resolve();
    },
  };
}

/** The run's page: the report with the client's events, the checks and the settings. */
export function scenarioPage(result: ChaosResult): ScenarioPage {
  return {
    title: `shardcache chaos ${result.scenario} · ${result.backend}`,
    description: `${PLANS[result.scenario].summary}; victims: ${result.victims.join(', ')}`,
    report: result.report,
    events: result.events,
    checks: result.checks,
    settings: result.settings,
  };
}

function printResult(result: ChaosResult, output: CliOutput): void {
  output.out(`victims: ${result.victims.join(', ')}`);
  output.out(formatReport(result.report));
  output.out('\nchecks');
  for (const check of result.checks) output.out(`  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name} (${check.detail})`);
  const passed = result.checks.filter((check) => check.ok).length;
  output.out(`\n${result.passed ? 'passed' : 'FAILED'}: ${passed} of ${result.checks.length} checks hold`);
}
