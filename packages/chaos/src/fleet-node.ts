import { NodeStoppedError } from './errors.js';
import type { FaultProxy } from './fault-proxy.js';
import type { NodeBackend } from './internal/node-backend.js';
import type { ServerKind } from './server-kind.js';

/**
 * One server of a fleet, by a stable id, whatever happens to it: paused, killed, restarted on
 * the same port. Clients reach it at `address`, or through its fault proxy at `proxyAddress`.
 *
 * @example
 * const node = fleet.memcached[0];
 * node.pause();            // SIGSTOP: connects, never answers
 * node.resume();
 * await node.restart();    // SIGKILL, then a fresh empty server on the same port
 */
export class FleetNode {
  /** `"memcached-0"`, `"redis-1"`, ...: stable across restarts. */
  readonly id: string;
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  /** The fault proxy in front of this node (absent when the fleet was started with `proxy: false`). */
  readonly proxy: FaultProxy | undefined;
  #backend: NodeBackend;
  #restarts = 0;
  #stopped = false;

  constructor(id: string, backend: NodeBackend, proxy: FaultProxy | undefined) {
    this.id = id;
    this.kind = backend.kind;
    this.host = backend.host;
    this.port = backend.port;
    this.#backend = backend;
    this.proxy = proxy;
  }

  /** `"127.0.0.1:port"` of the server itself. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** `"127.0.0.1:port"` of its fault proxy, where clients should connect for network faults. */
  get proxyAddress(): string | undefined {
    return this.proxy?.address;
  }

  /** The current server's PID (a new one after each restart). */
  get pid(): number {
    return this.#backend.pid;
  }

  get running(): boolean {
    return this.#backend.running;
  }

  get paused(): boolean {
    return this.#backend.paused;
  }

  /** How many times `restart()` brought it back. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The PEM certificate to trust when the fleet runs with `tls: true`. */
  get tlsCertificate(): string | undefined {
    return this.#backend.tlsCertificate;
  }

  /** SIGSTOP (or a container pause): a hung node that keeps its data; TCP still connects. */
  async pause(): Promise<void> {
    this.#assertNotStopped();
    await this.#backend.pause();
  }

  /** SIGCONT: answers again, queued requests included. */
  async resume(): Promise<void> {
    await this.#backend.resume();
  }

  /** SIGKILL: a crash, as clients see it. `restart()` brings it back. */
  async kill(): Promise<void> {
    await this.#backend.kill();
  }

  /** Kills the server if it runs, then starts a fresh one on the same port: it comes back empty. */
  async restart(): Promise<void> {
    this.#assertNotStopped();
    await this.#backend.kill();
    this.#backend = await this.#backend.startAgain();
    this.#restarts += 1;
    // stop() ran while the new server was starting: it must not outlive the fleet.
    if (this.#stopped) await this.#backend.stop();
  }

  /** Stops the server for good (SIGTERM, then SIGKILL) and closes its proxy. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([this.#backend.stop(), this.proxy?.close()]);
  }

  #assertNotStopped(): void {
    if (this.#stopped) throw new NodeStoppedError(this.id);
  }
}
