import type { FleetNode } from '@shardcache/chaos';
import type { MigrationProgress, ShardedClient } from '@shardcache/client';
import type { DemoStage } from './demo-story.js';
import type { MigrationStatus, StoryEvent } from './story-events.js';

/** How a node looks on the dashboard. */
export type NodeState = 'up' | 'down' | 'ejected' | 'warming' | 'draining' | 'removed' | 'spare';

/**
 * Migration copies every misplaced key of every node (leftovers of warm-up included), so it
 * scans a little more than the key space: this is the margin the pace is planned with.
 */
const SCAN_MARGIN = 1.3;

/**
 * The story's stage over real servers: fleet nodes the story kills and restarts, a
 * `ShardedClient` that ejects, restores, adds, migrates and removes them. Forwards the client's
 * `node:ejected` and `node:restored` to `emit` as they happen, and says what state each node is in.
 */
export class FleetStage implements DemoStage {
  readonly victim: string;
  readonly spare: string;
  readonly leaver: string;
  readonly #nodes: ReadonlyMap<string, FleetNode>;
  readonly #ids = new Map<string, string>();
  readonly #client: ShardedClient;
  readonly #keys: number;
  readonly #killed = new Set<string>();
  readonly #removed = new Set<string>();
  readonly #waiters: { readonly event: 'ejected' | 'restored'; readonly node: string; readonly resolve: () => void }[] = [];
  #added: string | undefined;
  /** The node the last planned change added, while its warm-up lasts (a later change ends it). */
  #warming: string | undefined;
  #draining: string | undefined;

  /**
   * `nodes`: the ring's nodes first, the spare last (at least 3 + 1). `keys`: the size of the
   * key space, which paces the migration.
   */
  constructor(nodes: readonly FleetNode[], client: ShardedClient, keys: number, emit: (event: StoryEvent) => void, at: () => number) {
    const [leaver, victim] = nodes;
    const spare = nodes.at(-1);
    if (nodes.length < 4 || leaver === undefined || victim === undefined || spare === undefined) throw new RangeError('the demo stage needs at least 3 ring nodes and a spare');
    this.#nodes = new Map(nodes.map((node) => [node.id, node]));
    for (const node of nodes) this.#ids.set(node.address, node.id);
    this.victim = victim.id;
    this.leaver = leaver.id;
    this.spare = spare.id;
    this.#client = client;
    this.#keys = keys;
    client.on('node:ejected', ({ node, reason }) => {
      const id = this.#ids.get(node) ?? node;
      // Draining ejects the node on purpose; the story reports that itself.
      if (id !== this.#draining) emit({ type: 'ejected', atMs: at(), node: id, reason });
      this.#settle('ejected', id);
    });
    client.on('node:restored', ({ node }) => {
      const id = this.#ids.get(node) ?? node;
      this.#killed.delete(id);
      emit({ type: 'restored', atMs: at(), node: id });
      this.#settle('restored', id);
    });
  }

  /** Every node, ring first, with its current state. */
  get nodes(): readonly { readonly id: string; readonly address: string; readonly pid: number; readonly state: NodeState }[] {
    return [...this.#nodes.values()].map((node) => ({ id: node.id, address: node.address, pid: node.pid, state: this.stateOf(node.id) }));
  }

  stateOf(id: string): NodeState {
    const address = this.#node(id).address;
    if (this.#removed.has(id)) return 'removed';
    if (id === this.spare && this.#added === undefined) return 'spare';
    if (id === this.#draining) return 'draining';
    if (this.#client.ejected.includes(address)) return 'ejected';
    if (this.#killed.has(id)) return 'down';
    if (id === this.#warming && this.#client.stats.warmup.active) return 'warming';
    return 'up';
  }

  /** The PID of every server this demo started (current ones, after restarts). */
  get pids(): number[] {
    return [...this.#nodes.values()].map((node) => node.pid);
  }

  pid(id: string): number {
    return this.#node(id).pid;
  }

  async kill(id: string): Promise<void> {
    this.#killed.add(id);
    await this.#node(id).kill();
  }

  whenEjected(id: string): Promise<void> {
    return this.#client.ejected.includes(this.#node(id).address) ? Promise.resolve() : this.#wait('ejected', id);
  }

  async restart(id: string): Promise<{ pid: number; tracked: number }> {
    const node = this.#node(id);
    const tracked = this.#client.stats.rejoinTracked[node.address] ?? 0;
    await node.restart();
    return { pid: node.pid, tracked };
  }

  whenRestored(id: string): Promise<void> {
    return this.#client.ejected.includes(this.#node(id).address) ? this.#wait('restored', id) : Promise.resolve();
  }

  async add(id: string): Promise<number> {
    const change = await this.#client.addNodes([this.#node(id).address]);
    this.#added = id;
    this.#warming = id;
    return change.diff.moved;
  }

  warmupReads(): number {
    return this.#client.stats.warmup.hits;
  }

  drain(id: string): void {
    this.#draining = id;
    this.#client.eject(this.#node(id).address, 'draining');
  }

  async migrate(id: string, budgetMs: number, onProgress: (status: MigrationStatus) => void, signal: AbortSignal): Promise<{ status: MigrationStatus; completed: boolean }> {
    const planned = this.#keys * SCAN_MARGIN;
    const result = await this.#client.migrate(
      { remove: [this.#node(id).address] },
      {
        rateLimit: Math.max(100, planned / Math.max(budgetMs / 1000, 0.5)),
        batchSize: Math.max(20, Math.ceil(planned / 60)),
        onProgress: (progress) => onProgress(status(progress)),
        signal,
      },
    );
    return { status: status(result), completed: result.completed };
  }

  async remove(id: string): Promise<number> {
    const change = await this.#client.removeNodes([this.#node(id).address]);
    this.#removed.add(id);
    this.#draining = undefined;
    this.#warming = undefined;
    return change.diff.moved;
  }

  #node(id: string): FleetNode {
    const node = this.#nodes.get(id);
    if (node === undefined) throw new RangeError(`no node "${id}" on the demo stage`);
    return node;
  }

  #wait(event: 'ejected' | 'restored', node: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ event, node, resolve }));
  }

  #settle(event: 'ejected' | 'restored', node: string): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i];
      if (waiter?.event === event && waiter.node === node) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

function status(progress: MigrationProgress): MigrationStatus {
  const { scanned, moved, skipped, failed, rate, etaMs } = progress;
  return { scanned, moved, skipped, failed, total: etaMs === undefined ? undefined : Math.round(scanned + (rate * etaMs) / 1000) };
}
