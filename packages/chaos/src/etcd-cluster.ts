import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError, ServerStartError } from './errors.js';
import { EtcdMember } from './etcd-member.js';
import { FaultProxy } from './fault-proxy.js';
import { freePort } from './internal/free-port.js';
import { removeFiles } from './internal/server-files.js';

/** Options for `EtcdCluster.start`. */
export interface EtcdClusterOptions {
  /** 1 (a single member) or 3. Default 1. */
  readonly members?: 1 | 3;
  /** How long to wait for every member to be healthy (a leader elected). Default 15 s. */
  readonly startTimeoutMs?: number;
  /** A fault proxy in front of each member's client port (`member.proxy`, `proxyEndpoints`). Default false. */
  readonly proxy?: boolean;
}

const PORT_ATTEMPTS = 3;

/**
 * Real etcd (Debian's `etcd-server`) on free loopback ports: one member or a three-member
 * cluster, each member a child process stopped by PID, in one scratch directory removed by
 * `stop()`. Members are killed, paused and restarted one by one (`members[i]`).
 *
 * @example
 * const etcd = await EtcdCluster.start({ members: 3 });
 * const membership = etcdMembership({ endpoints: etcd.endpoints, prefix: '/app' });
 * await etcd.members[1].kill();
 * await etcd.stop();
 */
export class EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** The scratch directory holding every member's data dir. */
  readonly dir: string;

  private constructor(members: readonly EtcdMember[], dir: string) {
    this.members = members;
    this.dir = dir;
  }

  /** Every member's client URL. */
  get endpoints(): string[] {
    return this.members.map((member) => member.endpoint);
  }

  /** Every member's client URL through its fault proxy (the same as `endpoints` without proxies). */
  get proxyEndpoints(): string[] {
    return this.members.map((member) => member.clientEndpoint);
  }

  /** Starts every member and resolves once each answers /health (a leader is elected). */
  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    const size = options.members ?? 1;
    if (size !== 1 && size !== 3) throw new InvalidOptionError('members', `expected 1 or 3, got ${String(size)}`);
    const startTimeoutMs = options.startTimeoutMs ?? 15_000;
    if (!(Number.isFinite(startTimeoutMs) && startTimeoutMs > 0)) throw new InvalidOptionError('startTimeoutMs', `expected a positive number of ms, got ${String(startTimeoutMs)}`);
    let lastError: unknown;
    // Another process may take a port between freePort() and etcd's bind: start over on fresh ones.
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const cluster = await EtcdCluster.#create(size, startTimeoutMs, options.proxy === true);
      try {
        await Promise.all(cluster.members.map((member) => member.spawn('new')));
        await Promise.all(cluster.members.map((member) => member.ready(startTimeoutMs)));
        return cluster;
      } catch (error) {
        const taken = cluster.members.some((member) => /address already in use/i.test(member.stderr));
        await cluster.stop();
        if (!taken) throw error;
        lastError = error;
      }
    }
    throw new ServerStartError(`etcd could not bind free ports in ${PORT_ATTEMPTS} attempts`, { cause: lastError });
  }

  static async #create(size: number, startTimeoutMs: number, proxied: boolean): Promise<EtcdCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'shardcache-etcd-'));
    const ports: { client: number; peer: number }[] = [];
    for (let index = 0; index < size; index++) ports.push({ client: await freePort(), peer: await freePort() });
    const initialCluster = ports.map((port, index) => `e${index + 1}=http://127.0.0.1:${port.peer}`).join(',');
    const members = await Promise.all(
      ports.map(async (port, index) => {
        const proxy = proxied ? await FaultProxy.start({ target: { host: '127.0.0.1', port: port.client } }) : undefined;
        const name = `e${index + 1}`;
        return new EtcdMember({ name, clientPort: port.client, peerPort: port.peer, dataDir: join(dir, name), initialCluster, startTimeoutMs }, proxy);
      }),
    );
    return new EtcdCluster(members, dir);
  }

  /** `member.restart()`: kept for symmetry with `restartAll()`. */
  restart(member: EtcdMember): Promise<void> {
    return member.restart();
  }

  /** Restarts every member that is not running (etcd's return after an outage of all of them). */
  async restartAll(): Promise<void> {
    const down = this.members.filter((member) => !member.running);
    await Promise.all(down.map((member) => member.spawn('existing')));
    await Promise.all(down.map((member) => member.ready(member.spec.startTimeoutMs)));
  }

  /** Stops every member by PID, closes the proxies and removes the scratch directory. Idempotent. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map(async (member) => {
      await member.stop();
      await member.proxy?.close();
    }));
    removeFiles(this.dir);
  }
}
