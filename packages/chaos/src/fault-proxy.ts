import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '@shardcache/health';
import { InvalidOptionError } from './errors.js';
import { validateFault, ZERO_COUNTERS, type FaultCounters, type NetworkFault } from './faults.js';
import { systemClock } from './internal/clock.js';
import { ProxyLink, type LinkContext, type MutableCounters } from './internal/proxy-link.js';

/** Where a fault proxy listens and what it forwards to. */
export interface FaultProxyOptions {
  /** The server behind the proxy (a loopback address). */
  readonly target: { readonly host: string; readonly port: number };
  /**
   * Timers for latency and bandwidth: `@shardcache/health`'s `Clock`. Default: epoch milliseconds
   * from `performance` (sub-millisecond) and unref'd timers.
   */
  readonly clock?: Clock;
  /** Dice for jitter, `partial` and garbage, in [0, 1). Default `Math.random`; tests pass a seeded one. */
  readonly random?: () => number;
}

/**
 * An in-process TCP proxy (node:net) on a free port of 127.0.0.1 in front of one server. With
 * no fault it passes bytes through unchanged; `setFault` makes it play a network fault on
 * every connection, open or new, until `setFault(undefined)`. `counters` prove what it did.
 *
 * @example
 * const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: server.port } });
 * proxy.setFault({ type: 'latency', ms: 100, direction: 'downstream' });
 * // ... clients connect to proxy.address ...
 * proxy.setFault(undefined);
 * console.log(proxy.counters.bytesHeld);
 * await proxy.close();
 */
export class FaultProxy {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly target: { readonly host: string; readonly port: number };
  readonly #server: Server;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #counters: MutableCounters = { ...ZERO_COUNTERS };
  /** Each open connection's reset, and its link context (which says whether a blackhole dropped bytes of it). */
  readonly #connections = new Map<() => void, LinkContext>();
  #fault: NetworkFault | undefined;

  private constructor(server: Server, port: number, options: FaultProxyOptions) {
    this.#server = server;
    this.port = port;
    this.target = options.target;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
  }

  /** Listens on a free loopback port and resolves once it accepts connections. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const { port } = options.target;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidOptionError('target.port', `expected a port number, got ${String(port)}`);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new InvalidOptionError('target', 'the proxy could not listen');
    const proxy = new FaultProxy(server, address.port, options);
    server.on('connection', (socket) => proxy.#accept(socket));
    return proxy;
  }

  /** `"127.0.0.1:port"`: where clients connect to reach the server through the proxy. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** The fault being played, if any. */
  get fault(): NetworkFault | undefined {
    return this.#fault;
  }

  /** Plays `fault` from now on (open connections included); `undefined` passes bytes through again. */
  setFault(fault: NetworkFault | undefined): void {
    if (fault !== undefined) validateFault(fault);
    const lifted = this.#fault?.type === 'blackhole' && fault?.type !== 'blackhole';
    this.#fault = fault;
    // An RST on connect also ends the connections already open.
    if (fault?.type === 'reset' && (fault.afterBytes ?? 0) === 0) {
      for (const reset of [...this.#connections.keys()]) reset();
    }
    // A blackhole drops bytes; a stream with a hole in it is not TCP (a real network loses
    // packets, and TCP sends them again or the connection dies). Passing the bytes after the
    // hole would hand a client replies meant for other requests: the connections that lost
    // bytes end with an RST as the blackhole lifts.
    if (lifted) {
      for (const context of [...this.#connections.values()]) if (context.holed) context.reset();
    }
  }

  /** Totals since the proxy started, as a frozen snapshot. */
  get counters(): FaultCounters {
    return Object.freeze({ ...this.#counters });
  }

  /** Connections open right now. */
  get openConnections(): number {
    return this.#connections.size;
  }

  /** Stops listening and destroys every open connection. Idempotent. */
  async close(): Promise<void> {
    for (const reset of [...this.#connections.keys()]) reset();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#counters.connections += 1;
    const fault = this.#fault;
    if (fault?.type === 'reset' && (fault.afterBytes ?? 0) === 0) {
      this.#counters.connectionsReset += 1;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    // A proxy must add only the faults asked for: with Nagle on, a small reply written while the
    // previous one is unacknowledged waits for the peer's delayed ACK (~40 ms on Linux).
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let done = false;
    const reset = (): void => {
      if (done) return;
      done = true;
      this.#connections.delete(reset);
      toServer.close();
      toClient.close();
      hardClose(client);
      hardClose(upstream);
    };
    const context: LinkContext = {
      fault: () => this.#fault,
      counters: this.#counters,
      clock: this.#clock,
      random: this.#random,
      passed: 0,
      holed: false,
      reset: () => {
        this.#counters.connectionsReset += 1;
        reset();
      },
    };
    const toServer = new ProxyLink(upstream, 'upstream', context);
    const toClient = new ProxyLink(client, 'downstream', context);
    this.#connections.set(reset, context);
    client.on('data', (chunk: Buffer) => toServer.push(chunk));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    client.on('end', () => toServer.end());
    upstream.on('end', () => toClient.end());
    // A refused upstream (server killed) or a reset on either side ends both.
    client.on('error', reset);
    upstream.on('error', reset);
    // A clean close waits for the other side (held bytes still go out); an error ends both.
    const onClose = (hadError: boolean): void => {
      if (hadError || (client.destroyed && upstream.destroyed)) reset();
    };
    client.on('close', onClose);
    upstream.on('close', onClose);
  }
}

/**
 * Ends a socket with an RST. Not one whose write side is already ending or that is still
 * connecting: Node's reset of such a handle fails inside libuv (EINVAL) and the handle is then
 * never closed, so the process can never exit (seen: nemesis runs sat after their report with
 * two destroyed sockets open, and Node's exit cleanup turned at 100 % CPU). Those get a plain
 * destroy: the peer sees a FIN instead.
 */
function hardClose(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}
