import { sleep, type Clock } from '@shardcache/health';
import type { CacheNode } from '@shardcache/client';
import type { Backend } from '../internal/options.js';
import { statsNode, storedKeys } from '../internal/server-stats.js';

const ANSWER_WITHIN_MS = 800;

/**
 * How many keys each server holds, from its own counters, polled on connections of their own
 * (not the client's: a dead server shows as unknown, whatever the client thinks of it).
 */
export class ServerKeyCounts {
  readonly #backend: Backend;
  readonly #servers: readonly { readonly id: string; readonly address: string }[];
  readonly #nodes = new Map<string, CacheNode>();
  readonly #counts = new Map<string, number | undefined>();

  constructor(backend: Backend, servers: readonly { readonly id: string; readonly address: string }[]) {
    this.#backend = backend;
    this.#servers = servers;
  }

  /** The last count of each server; undefined while it does not answer. */
  get(id: string): number | undefined {
    return this.#counts.get(id);
  }

  /** Polls every `everyMs` until `signal` aborts, then closes its connections. */
  async run(clock: Clock, everyMs: number, signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        await this.poll();
        await sleep(clock, everyMs, signal);
      }
    } finally {
      await Promise.all([...this.#nodes.values()].map((node) => node.destroy()));
      this.#nodes.clear();
    }
  }

  /** Asks every server once, in parallel. */
  async poll(): Promise<void> {
    await Promise.all(this.#servers.map((server) => this.#pollOne(server.id, server.address)));
  }

  async #pollOne(id: string, address: string): Promise<void> {
    let node = this.#nodes.get(id);
    if (node === undefined) {
      node = statsNode(this.#backend, address);
      this.#nodes.set(id, node);
    }
    try {
      this.#counts.set(id, storedKeys(this.#backend, await node.stats({ signal: AbortSignal.timeout(ANSWER_WITHIN_MS) })));
    } catch {
      this.#counts.set(id, undefined);
      // A fresh connection next time: a restarted server answers at once, without the old one's back-off.
      this.#nodes.delete(id);
      await node.destroy();
    }
  }
}
