import { tracingChannel } from 'node:diagnostics_channel';
import { jumpRing, ketamaRing, maglevRing, modulaRing, multiProbeRing, rendezvousRing, type Ring } from '@shardcache/ring';
import { LISTENER_THREW } from '../../src/internal/listeners.js';
import { ShardedClient, type FailoverPolicy, type KeyFailure, type MembershipChange, type NodeAddress } from '../../src/index.js';
import { seededRandom } from '@shardcache/chaos';
import { History, KEYS, isCounter, type Violation, type Write } from './history.js';
import { ModelNode, SERVER_LIMIT_BYTES, type NodePlant } from './model-node.js';
import type { Step } from './steps.js';
import { VirtualClock, settleMicrotasks } from './virtual-clock.js';

export const RINGS = ['ketama', 'jump', 'rendezvous', 'maglev', 'modula', 'multiProbe'] as const;
export type RingName = (typeof RINGS)[number];

/** Bugs planted to show the checker catches each invariant (a control run catches nothing). */
export type Plant = NodePlant | 'never-settles' | 'eject-on-request-error' | 'listener-dependent';

/** What a run is set up with, chosen by fast-check before the steps. */
export interface ModelConfig {
  readonly nodes: number;
  readonly ring: RingName;
  readonly failover: FailoverPolicy;
  readonly backend: 'memcached' | 'redis';
  /** Seed of health's jitter (the only randomness inside the client). */
  readonly seed: number;
  /** An `error` listener and a diagnostics subscriber attached from the start. */
  readonly observed?: boolean;
  readonly plant?: Plant;
}

export const TIMEOUT_MS = 100;
/** The reason the model's operator ejects with. */
const OPERATOR = 'operator (model)';
const WARMUP_MS = 500;

const RING_FACTORIES: Record<RingName, (nodes: readonly NodeAddress[]) => Ring> = {
  ketama: (nodes) => ketamaRing(nodes.map(({ id, weight }) => ({ id, weight }))),
  jump: (nodes) => jumpRing(nodes.map(({ id }) => id)),
  rendezvous: (nodes) => rendezvousRing(nodes.map(({ id, weight }) => ({ id, weight }))),
  // A small table: the model's fleets have at most a dozen nodes, and 65,537 slots per change cost most of a run.
  maglev: (nodes) => maglevRing(nodes.map(({ id }) => id), { tableSize: 1009 }),
  modula: (nodes) => modulaRing(nodes.map(({ id, weight }) => ({ id, weight }))),
  multiProbe: (nodes) => multiProbeRing(nodes.map(({ id }) => id)),
};

interface Call {
  readonly label: string;
  readonly deadline: number;
  settled: boolean;
}

const noop = (): void => undefined;
const SUBSCRIBER = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
const commands = tracingChannel('shardcache:command');

/** A call's result as the trace shows it: errors by code, multi-key failures in key order (their order is the nodes' answer order). */
function outcome(result: unknown): string {
  return JSON.stringify(result, (key, value: unknown) => {
    if (value instanceof Error) return codeOf(value);
    if (key === 'failures' && Array.isArray(value)) return [...(value as KeyFailure[])].sort((a, b) => a.key.localeCompare(b.key));
    return value;
  });
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : `untyped ${String(error)}`;
}

/**
 * A `ShardedClient` over model nodes on a virtual clock, driven by steps, with every invariant
 * checked as the calls settle: values (History), deadlines, ejections, stats, unhandled
 * rejections. `trace` lists every outcome, so two runs of the same steps can be compared.
 */
export class ModelSystem {
  readonly config: ModelConfig;
  readonly clock = new VirtualClock();
  readonly history = new History();
  readonly nodes = new Map<string, ModelNode>();
  readonly client: ShardedClient;
  /** Each call's outcome by call number, and the ejected set after each step. */
  readonly trace: string[] = [];
  readonly #calls: Call[] = [];
  readonly #changes: Call[] = [];
  /** Per node: reads the application saw answered there (hits + misses must match). */
  readonly #reads = new Map<string, number>();
  /** Per node and code: failed calls the application saw routed there. */
  readonly #failures = new Map<string, Map<string, number>>();
  readonly #unhandled: unknown[] = [];
  readonly #onUnhandled = (reason: unknown): void => void this.#unhandled.push(reason);
  readonly #savedUnhandled: NodeJS.UnhandledRejectionListener[];
  readonly #savedEmitWarning: typeof process.emitWarning;
  /** Listener exceptions thrown by the model's listeners, and SHARDCACHE_LISTENER_THREW warnings seen. */
  #thrown = 0;
  #warnings = 0;
  #traced = 0;
  #nextId: number;
  #lastCas = new Map<string, string>();
  #value = 0;
  /** The ring before the last planned change, read by warm-up until `until`. */
  #warmup: { readonly before: Ring; readonly until: number } | undefined;

  constructor(config: ModelConfig) {
    this.config = config;
    const ids = Array.from({ length: config.nodes }, (_, index) => `n${index + 1}:11211`);
    this.#nextId = config.nodes + 1;
    for (const id of ids) this.#node(id);
    // Listener exceptions become warnings: counted here (one per throw), not printed.
    this.#savedEmitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error, options?: { code?: string }) => {
      if (typeof options === 'object' && options.code === LISTENER_THREW) this.#warnings++;
      else this.#savedEmitWarning.call(process, warning, options as never);
    }) as typeof process.emitWarning;
    // The run judges unhandled rejections itself (vitest would fail the file on the first one).
    this.#savedUnhandled = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', this.#onUnhandled);
    this.client = new ShardedClient({
      backend: config.backend,
      nodes: ids,
      ring: RING_FACTORIES[config.ring],
      failover: config.failover,
      timeoutMs: TIMEOUT_MS,
      clock: this.clock,
      maxInFlight: 64,
      warmupMs: WARMUP_MS,
      rejoin: { stableMs: 100, failoverTtl: 60 },
      health: {
        serverFailureLimit: 2,
        serverRetryTimeout: 200,
        maxEjectionMs: 800,
        probeIntervalMs: 50,
        probeJitter: 0.2,
        successThreshold: 1,
        errorRateThreshold: 0,
        outlierDetection: false,
        random: seededRandom(config.seed),
        ...(config.plant === 'eject-on-request-error' ? { errorFilter: () => false } : {}),
      },
      nodeFactory: (address) => this.#node(address.id).cacheNode(),
    });
    this.client.on('node:ejected', ({ node, reason }) => {
      const model = this.nodes.get(node);
      // An operator's eject needs no failure; health's does.
      if (reason !== OPERATOR && model !== undefined && model.nodeFailures === 0) {
        this.#violate('ejection without node failure', `${node} was ejected, but it produced no node-level failure since it was last restored (faults: ${model.fault?.kind ?? 'none'})`);
      }
    });
    let planned = this.client.ring;
    this.client.on('ring:changed', ({ reason }) => {
      if (reason !== 'membership') return;
      const before = planned;
      planned = this.client.ring;
      this.#warmup = { before, until: this.clock.now() + WARMUP_MS };
      for (const key of KEYS) {
        const owner = before.locate(key);
        if (owner !== planned.locate(key)) this.history.movedAway(key, owner);
      }
    });
    this.client.on('node:restored', ({ node }) => {
      const model = this.nodes.get(node);
      // A failure from before a restore can still time out after it (an operator restores at
      // once): the count starts again only once every call from before has met its deadline.
      if (model !== undefined && this.clock.now() - model.lastFailureAt > TIMEOUT_MS) model.nodeFailures = 0;
    });
    if (config.observed === true) {
      this.client.on('error', noop);
      this.#subscribe(true);
    }
  }

  get violations(): readonly Violation[] {
    return this.history.violations;
  }

  /** Node ids in the planned ring now. */
  get ring(): readonly string[] {
    return this.client.ring.nodes.map((node) => node.id);
  }

  /** Runs one step, lets everything it caused settle, then checks the invariants. */
  async apply(step: Step, index: number): Promise<void> {
    try {
      this.#start(step, index);
    } catch (error) {
      this.clock.thrown.push(error);
    }
    await settleMicrotasks();
    if (step.op === 'advance') await this.clock.advance(step.ms);
    this.#checkDeadlines();
    this.#checkUnhandled();
    this.trace.push(`#${index} ejected [${this.client.ejected.join(',')}]`);
  }

  /**
   * Ends a run: every fault healed and time run on until health restored everything, then every
   * call and change must have settled, and the stats must agree with what the application saw.
   */
  async finish(): Promise<void> {
    for (const node of this.nodes.values()) node.heal();
    // Nodes the operator ejected come back only when the operator says so.
    for (const id of this.client.ejected) this.#follow(`finish: restore ${id}`, this.client.restore(id));
    // Migrations give each scan, dump and restore 30 s: run time on well past that.
    for (let round = 0; round < 40 && this.#busy(); round++) await this.clock.advance(1000);
    await this.clock.advance(1000);
    for (const call of this.#calls) if (!call.settled) this.#violate('unsettled call', `${call.label} never settled`);
    for (const change of this.#changes) if (!change.settled) this.#violate('unsettled call', `${change.label} never settled`);
    this.#checkStats();
    this.#checkUnhandled();
    if (this.#warnings !== this.#thrown) this.#violate('uncaught exception', `listeners threw ${this.#thrown} times, but ${this.#warnings} SHARDCACHE_LISTENER_THREW warnings were emitted`);
  }

  #busy(): boolean {
    return this.#calls.some((call) => !call.settled) || this.#changes.some((change) => !change.settled) || this.client.ejected.length > 0;
  }

  /** Releases everything the run holds (also after a failed run). */
  async dispose(): Promise<void> {
    this.#subscribe(false, this.#traced);
    await this.client.destroy().catch(noop);
    await settleMicrotasks();
    process.emitWarning = this.#savedEmitWarning;
    process.removeListener('unhandledRejection', this.#onUnhandled);
    for (const listener of this.#savedUnhandled) process.on('unhandledRejection', listener);
  }

  #start(step: Step, index: number): void {
    const { client } = this;
    const label = `#${index} ${step.op}`;
    switch (step.op) {
      case 'get':
        this.#read(label, [step.key], () => client.get(step.key), (value) => [value]);
        return;
      case 'gets':
        this.#read(label, [step.key], () => client.gets(step.key), (item) => {
          if (item !== undefined) this.#lastCas.set(step.key, item.cas);
          return [item?.value];
        });
        return;
      case 'getMany':
        this.#read(label, step.keys, () => client.getMany(step.keys), (result) => result.values, (result) => result.failures);
        return;
      case 'set':
      case 'add':
      case 'replace': {
        const value = this.#fresh(step.key, step.large);
        const write = this.history.write(step.key, value);
        // set answers nothing; add and replace answer whether they stored.
        const send = (): Promise<boolean> => (step.op === 'set' ? client.set(step.key, value).then(() => true) : client[step.op](step.key, value));
        this.#call(label, [step.key], send, (stored) => (stored === false ? this.history.noop(write) : this.history.acked(write)));
        return;
      }
      case 'cas': {
        const value = this.#fresh(step.key, false);
        const token = step.fresh ? (this.#lastCas.get(step.key) ?? '1') : '999999';
        const write = this.history.write(step.key, value);
        this.#call(label, [step.key], () => client.cas(step.key, value, token), (result) => (result === 'stored' ? this.history.acked(write) : this.history.noop(write)));
        return;
      }
      case 'delete': {
        const write = this.history.write(step.key, null);
        this.#call(label, [step.key], () => client.delete(step.key), () => this.history.acked(write));
        return;
      }
      case 'touch':
        this.#call(label, [step.key], () => client.touch(step.key, 60), noop);
        return;
      case 'incr':
      case 'decr':
        if (step.op === 'incr') this.history.increment(step.key, step.delta);
        this.#call(label, [step.key], () => client[step.op](step.key, step.delta), noop);
        return;
      case 'setMany': {
        const entries = step.keys.map((key) => ({ key, value: this.#fresh(key, false) }));
        const writes = entries.map((entry) => this.history.write(entry.key, entry.value));
        const owners = this.#owners(step.keys);
        this.#call(label, step.keys, () => client.setMany(entries), (result) => {
          const failed = new Set(result.failures.map((failure) => failure.key));
          entries.forEach((entry, at) => {
            if (!failed.has(entry.key)) this.#acked(writes[at]);
          });
          this.#countFailures(step.keys, owners, result.failures);
        });
        return;
      }
      case 'deleteMany': {
        const writes = step.keys.map((key) => this.history.write(key, null));
        const owners = this.#owners(step.keys);
        this.#call(label, step.keys, () => client.deleteMany(step.keys), (result) => {
          const failed = new Set(result.failures.map((failure) => failure.key));
          step.keys.forEach((key, at) => {
            if (!failed.has(key)) this.#acked(writes[at]);
          });
          this.#countFailures(step.keys, owners, result.failures);
        });
        return;
      }
      case 'advance':
        return;
      case 'fault':
        this.#target(step.node)?.inject(step.fault);
        return;
      case 'heal':
        this.#target(step.node)?.heal();
        return;
      case 'eject': {
        const id = this.ring[step.node % this.ring.length];
        if (id !== undefined) client.eject(id, OPERATOR);
        return;
      }
      case 'restore': {
        const id = this.ring[step.node % this.ring.length];
        if (id !== undefined) this.#follow(label, client.restore(id));
        return;
      }
      case 'join':
        this.#change(label, { add: [`n${this.#nextId++}:11211`] }, step.migrate);
        return;
      case 'leave': {
        const id = this.ring[step.node % this.ring.length];
        if (id !== undefined && this.ring.length > 1) this.#change(label, { remove: [id] }, step.migrate);
        return;
      }
      case 'weigh': {
        const id = this.ring[step.node % this.ring.length];
        if (id !== undefined) this.#change(label, { weights: { [id]: step.weight } }, step.migrate);
        return;
      }
      case 'listen': {
        const listener = step.throws
          ? () => {
              this.#thrown++;
              throw new Error(`a ${step.event} listener threw (model)`);
            }
          : noop;
        client.on(step.event, listener);
        return;
      }
      case 'trace':
        this.#subscribe(step.on);
        return;
    }
  }

  /** A read: its values are judged by the history, and counted against the node that served them. */
  #read<R>(label: string, keys: readonly string[], call: () => Promise<R>, values: (result: R) => readonly unknown[], failures?: (result: R) => readonly KeyFailure[]): void {
    const invokedAt = this.history.tick();
    const owners = this.#owners(keys);
    const warm = this.#warmup !== undefined && this.clock.now() < this.#warmup.until ? this.#warmup.before : undefined;
    const servers = keys.map((key, at) => [owners[at], warm?.locate(key)].filter((id): id is string => id !== undefined));
    this.#call(label, keys, call, (result) => {
      const failed = failures?.(result) ?? [];
      const lost = new Set(failed.map((failure) => failure.key));
      values(result).forEach((value, at) => {
        const key = keys[at] as string;
        if (lost.has(key)) return;
        const owner = owners[at];
        this.history.read(key, invokedAt, isCounter(key) || value === undefined ? value : String(value), servers[at] ?? []);
        if (owner !== undefined) this.#reads.set(owner, (this.#reads.get(owner) ?? 0) + 1);
      });
      this.#countFailures(keys, owners, failed);
    });
  }

  /** Starts a call the application makes, and follows it to its outcome. */
  #call<R>(label: string, keys: readonly string[], call: () => Promise<R>, succeeded: (result: R) => void): void {
    const owners = this.#owners(keys);
    const record: Call = { label, deadline: this.clock.now() + TIMEOUT_MS, settled: false };
    this.#calls.push(record);
    let promise: Promise<R>;
    if (this.config.plant === 'never-settles' && label.endsWith(' touch')) {
      // Planted: this client loses touch calls.
      promise = new Promise(noop);
    } else if (this.config.plant === 'listener-dependent' && this.config.observed === true && label.endsWith(' touch')) {
      // Planted: with listeners attached, touch finds nothing.
      promise = Promise.resolve(false as R);
    } else {
      try {
        promise = call();
      } catch (error) {
        promise = Promise.reject(error);
      }
    }
    promise.then(
      (result) => {
        record.settled = true;
        this.trace.push(`${label} -> ${outcome(result)}`);
        succeeded(result);
      },
      (error: unknown) => {
        record.settled = true;
        this.trace.push(`${label} -> ${codeOf(error)}`);
        const owner = owners.find((id) => id !== undefined);
        if (owner !== undefined && keys.length === 1) this.#countFailure(owner, error);
      },
    );
  }

  #change(label: string, change: MembershipChange, migrate: boolean): void {
    const { client } = this;
    const applied = migrate
      ? client.migrate(change).then((result) => (result.completed ? client.applyChange(change) : undefined))
      : client.applyChange(change);
    this.#follow(label, applied);
  }

  /** Follows an operation with no deadline of its own (a change, a restore): it must settle by the end of the run. */
  #follow(label: string, operation: Promise<unknown>): void {
    const record: Call = { label, deadline: Infinity, settled: false };
    this.#changes.push(record);
    operation.then(
      () => {
        record.settled = true;
        this.trace.push(`${label} applied`);
      },
      (error: unknown) => {
        record.settled = true;
        this.trace.push(`${label} -> ${codeOf(error)}`);
      },
    );
  }

  /** Node-side failures of a multi-key call: one per node group (the client's stats count calls, not keys). */
  #countFailures(keys: readonly string[], owners: readonly (string | undefined)[], failures: readonly KeyFailure[]): void {
    const errors = new Map(failures.map((failure) => [failure.key, failure.error]));
    const counted = new Set<string>();
    for (const [index, key] of keys.entries()) {
      const error = errors.get(key);
      const owner = owners[index];
      if (error === undefined || owner === undefined || counted.has(`${owner} ${error.code}`)) continue;
      counted.add(`${owner} ${error.code}`);
      this.#countFailure(owner, error);
    }
  }

  /** Where each key goes now: a call's node is decided when it starts. */
  #owners(keys: readonly string[]): (string | undefined)[] {
    return keys.map((key) => this.client.locate(key));
  }

  #acked(write: Write | undefined): void {
    if (write !== undefined) this.history.acked(write);
  }

  #countFailure(owner: string, error: unknown): void {
    // Only failures of a call that reached the node's slot are in its stats; the error names
    // its node when another node failed the call (a write waits for its purges elsewhere).
    const named = (error as { node?: unknown } | null)?.node;
    if (typeof named === 'string') owner = named;
    const code = codeOf(error);
    if (!['ERR_TIMEOUT', 'ERR_CONNECTION', 'ERR_SERVER', 'ERR_BREAKER_OPEN', 'ERR_OVERLOADED'].includes(code) && !(code === 'ERR_VALUE_TOO_LARGE' && (error as { size?: unknown }).size === undefined)) return;
    let codes = this.#failures.get(owner);
    if (codes === undefined) this.#failures.set(owner, (codes = new Map()));
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }

  #checkDeadlines(): void {
    const now = this.clock.now();
    for (const call of this.#calls) {
      if (!call.settled && call.deadline <= now) {
        this.#violate('unsettled call', `${call.label} had not settled ${now - call.deadline} ms after its deadline`);
        call.settled = true;
      }
    }
  }

  #checkUnhandled(): void {
    for (const error of this.clock.thrown.splice(0)) this.#violate('uncaught exception', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    for (const reason of this.#unhandled.splice(0)) this.#violate('unhandled rejection', reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  }

  #checkStats(): void {
    const { nodes } = this.client.stats;
    for (const [id, node] of Object.entries(nodes)) {
      const reads = this.#reads.get(id) ?? 0;
      if (node.hits + node.misses !== reads) this.#violate('stats', `${id}: hits ${node.hits} + misses ${node.misses} != ${reads} reads the application saw served there`);
      for (const [code, count] of this.#failures.get(id) ?? []) {
        const recorded = node.errors[code] ?? 0;
        if (recorded < count) this.#violate('stats', `${id}: errors.${code} is ${recorded}, but ${count} calls routed there failed with it`);
      }
    }
  }

  #subscribe(on: boolean, times = 1): void {
    for (let i = 0; i < times; i++) {
      if (on) {
        commands.subscribe(SUBSCRIBER);
        this.#traced++;
      } else if (this.#traced > 0) {
        commands.unsubscribe(SUBSCRIBER);
        this.#traced--;
      }
    }
  }

  #target(index: number): ModelNode | undefined {
    const ids = this.ring;
    const id = ids[index % ids.length];
    return id === undefined ? undefined : this.nodes.get(id);
  }

  #node(id: string): ModelNode {
    let node = this.nodes.get(id);
    if (node === undefined) {
      const plant = this.config.plant === 'wrong-value' || this.config.plant === 'ignore-deletes' ? this.config.plant : 'none';
      node = new ModelNode(id, this.clock, plant);
      this.nodes.set(id, node);
    }
    return node;
  }

  /** A value no write sent before: counters get decimal text, large values exceed the server's limit. */
  #fresh(key: string, large: boolean): string {
    const n = ++this.#value;
    if (isCounter(key)) return String(n % 100);
    return large ? `v${n}:${'x'.repeat(SERVER_LIMIT_BYTES)}` : `v${n}`;
  }

  #violate(invariant: Violation['invariant'], detail: string): void {
    this.history.violations.push({ invariant, detail });
  }
}
