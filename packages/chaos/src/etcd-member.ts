import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { ServerNotInstalledError, ServerStartError } from './errors.js';
import type { FaultProxy } from './fault-proxy.js';
import { trackLive, untrackLive } from './internal/live-processes.js';
import { recordPid } from './internal/pid-log.js';
import { probeOnce } from './internal/probe.js';
import { whenStopped } from './internal/process-state.js';
import { unwatch, watch } from './internal/watchdog.js';

/** Where one member listens and keeps its data; fixed for its life, so a restart is the same member. */
export interface EtcdMemberSpec {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  /** `e1=http://127.0.0.1:P1,...`: every member's peer URL. */
  readonly initialCluster: string;
  /** How long `ready()` after a (re)start may take. */
  readonly startTimeoutMs: number;
}

// A member answers 200 on /health only once the cluster has a leader: ready means usable.
const HEALTH_REQUEST = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
const HEALTH_REPLY = 'HTTP/1.1 200';
const PROBE_INTERVAL_MS = 20;
const STDERR_TAIL = 2048;

interface Running {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  paused: boolean;
}

/**
 * One etcd process of an `EtcdCluster`, a child of this process on loopback ports, watched by
 * the watchdog and recorded in the PID log like memcached and redis. Kill, pause and restart
 * work as on a `ServerProcess`; its data dir outlives a kill (a restarted member rejoins with
 * its data) and is removed by the cluster's `stop()`.
 *
 * It is a `FaultTarget`: `applyFault` plays kill, pause and (through `proxy`, when the cluster
 * was started with `proxy: true`) every network fault on it, as on a fleet node.
 *
 * @example
 * const cluster = await EtcdCluster.start({ members: 3 });
 * await cluster.members[0].kill();
 * await cluster.members[0].restart();
 */
export class EtcdMember {
  readonly spec: EtcdMemberSpec;
  /** A fault proxy in front of the client port, or undefined (clients then use `endpoint`). */
  readonly proxy: FaultProxy | undefined;
  #running: Running | undefined;
  /** The last process's stderr tail, kept after it exits: why it failed to start. */
  #stderr = '';

  constructor(spec: EtcdMemberSpec, proxy?: FaultProxy) {
    this.spec = spec;
    this.proxy = proxy;
  }

  get name(): string {
    return this.spec.name;
  }

  /** `"etcd-e1"`, ...: stable across restarts (a fault's node). */
  get id(): string {
    return `etcd-${this.spec.name}`;
  }

  /** The URL clients use: through the proxy when there is one. */
  get clientEndpoint(): string {
    return this.proxy === undefined ? this.endpoint : `http://${this.proxy.address}`;
  }

  /** `http://127.0.0.1:port`, the form etcd clients take. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.spec.clientPort}`;
  }

  get pid(): number | undefined {
    return this.#running?.pid;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  get paused(): boolean {
    return this.#running?.paused === true;
  }

  /**
   * Spawns the process (not waiting for it to answer: a cluster's members only elect a leader
   * once enough of them run). `state` is `new` for the first start, `existing` on a restart.
   */
  async spawn(state: 'new' | 'existing'): Promise<void> {
    if (this.#running !== undefined) return;
    const { name, clientPort, peerPort, dataDir, initialCluster } = this.spec;
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const child = spawn('etcd', [
      '--name', name, '--data-dir', dataDir,
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', initialCluster, '--initial-cluster-state', state,
      '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'error',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new ServerNotInstalledError('etcd') : new ServerStartError('could not start etcd', { cause: error })));
      child.once('spawn', () => (child.pid === undefined ? reject(new ServerStartError('etcd started without a PID')) : resolve(child.pid)));
    });
    trackLive(pid);
    await watch(pid);
    recordPid({ pid, comm: 'etcd', port: clientPort, startedAt: new Date().toISOString() });
    const running: Running = {
      pid,
      paused: false,
      exited: new Promise((resolve) => {
        child.once('exit', (code) => {
          untrackLive(pid);
          void unwatch(pid);
          if (this.#running === running) this.#running = undefined;
          resolve(code);
        });
      }),
    };
    child.stderr.setEncoding('utf8');
    this.#stderr = '';
    child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    this.#running = running;
  }

  /** Resolves once the member answers /health with 200 (it has a leader); fails if it exits or `timeoutMs` passes. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = this.#running;
      if (running === undefined) throw new ServerStartError(`etcd ${this.name} on port ${this.spec.clientPort} exited before answering. stderr: ${this.#stderr.trim()}`);
      if (await probeOnce(this.spec.clientPort, HEALTH_REQUEST, HEALTH_REPLY, 250)) return;
      if (Date.now() > deadline) throw new ServerStartError(`etcd ${this.name} on port ${this.spec.clientPort} was not healthy within ${timeoutMs} ms. stderr: ${this.#stderr.trim()}`);
      await delay(PROBE_INTERVAL_MS);
    }
  }

  /**
   * SIGKILL if it runs, then the same member again on its ports with its data (it rejoins its
   * cluster); resolves once healthy, which for one member of three needs a quorum running.
   */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn('existing');
    await this.ready(this.spec.startTimeoutMs);
  }

  /** The last bytes it wrote to stderr (why it failed to start). */
  get stderr(): string {
    return this.#stderr;
  }

  /** SIGKILL now (a crash). Resolves once the process is gone; the data dir stays. */
  async kill(): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    this.#signal(running.pid, 'SIGKILL');
    await running.exited;
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`: a member stopped with SIGTERM can take seconds to
   * exit (it hands leadership over first), and a cluster's stop must not wait for that.
   */
  async stop(graceMs = 2000): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    this.#signal(running.pid, 'SIGTERM');
    if (running.paused) this.resume();
    const timer = setTimeout(() => this.#signal(running.pid, 'SIGKILL'), graceMs);
    await running.exited;
    clearTimeout(timer);
  }

  /** SIGSTOP: a hung member (TCP still connects, nothing answers) until `resume()`. */
  async pause(): Promise<void> {
    const running = this.#running;
    if (running === undefined || running.paused) return;
    this.#signal(running.pid, 'SIGSTOP');
    running.paused = true;
    await whenStopped(running.pid);
  }

  resume(): void {
    const running = this.#running;
    if (running === undefined || !running.paused) return;
    this.#signal(running.pid, 'SIGCONT');
    running.paused = false;
  }

  #signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // Exited between the check and the signal; `exited` settles on its own.
    }
  }
}
