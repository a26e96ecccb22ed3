import type { Socket } from 'node:net';
import type { Clock } from '@shardcache/health';
import { ClosedError, ConnectionError } from '../../errors.js';
import { asError } from '../../internal/as-error.js';
import type { Payload } from '../cache-node.js';
import { CommandBuffer } from './command-buffer.js';
import { dial, type DialTarget } from './dial.js';
import { errorFromReply, LoginRequest, loginCommand, type PendingRequest } from './pending-request.js';
import { ProtocolViolation } from './protocol-violation.js';
import { ReplyParser, type Reply } from './reply-parser.js';

/** Where and how to connect; every field already validated by the node. */
export interface ConnectionSettings extends DialTarget {
  readonly id: string;
  readonly connectTimeoutMs: number;
  /** Drop the connection when requests wait this long with no byte from the server; 0: never. */
  readonly replyTimeoutMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly maxValueBytes: number;
  readonly clock: Clock;
  /** memcached's text-protocol authentication (`-Y`), sent first on every connection. */
  readonly login: { readonly username: string; readonly password: string } | undefined;
}

type State = 'idle' | 'connecting' | 'ready' | 'closed';
/** A command as text, or written straight into the turn's buffer (it may throw ERR_INVALID_KEY). */
export type Command = string | ((out: CommandBuffer) => void);
const CRLF = '\r\n';
// Opaque tokens are decimal and wrap well below memcached's 32-byte limit.
const OPAQUE_WRAP = 2 ** 31;

/**
 * One pipelined connection to one memcached server. Requests issued in the same event-loop
 * turn (including those made in reaction to other sockets' replies) go out in one write; replies are matched to requests in order and checked by opaque token. Any
 * protocol violation, reset or silence past `replyTimeoutMs` drops the connection: every
 * request on it fails with ERR_CONNECTION (never a wrong value), and the next attempt waits a
 * back-off (doubling from `reconnectDelayMs` to `maxReconnectDelayMs`, reset by the first good
 * reply). Until then calls fail at once instead of queueing. Connecting is lazy: the first
 * request opens the connection and waits for it.
 */
export class MemcachedConnection {
  readonly #settings: ConnectionSettings;
  #state: State = 'idle';
  #socket: Socket | undefined;
  #parser: ReplyParser | undefined;
  #cancelConnectTimer: (() => void) | undefined;
  #queue: PendingRequest[] = [];
  #head = 0;
  readonly #out = new CommandBuffer();
  #flushScheduled = false;
  #opaque = 0;
  #delayMs: number;
  #retryAt = 0;
  #lastError = '';
  /** When the requests in flight last heard from the server (or started waiting). */
  #waitingSince = 0;
  /** After a late call: the server must be heard from by then (Infinity: no such call). */
  #graceUntil = Infinity;
  #graceMs = 0;
  /** The one silence timer, and when it fires. */
  #cancelWatchdog: (() => void) | undefined;
  #watchdogAt = Infinity;
  #drained: (() => void) | undefined;

  constructor(settings: ConnectionSettings) {
    this.#settings = settings;
    this.#delayMs = settings.reconnectDelayMs;
  }

  /** `count` consecutive opaque tokens; returns the first. */
  opaques(count: number): number {
    if (this.#opaque + count >= OPAQUE_WRAP) this.#opaque = 0;
    const first = this.#opaque;
    this.#opaque += count;
    return first;
  }

  /** Requests written and not yet answered. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Queues `request` and writes `command` (then `value` and CRLF, for a store). Failures reach
   * the request, never the caller of `send`; a command that cannot be written (a bad key) fails
   * alone and leaves nothing behind.
   */
  send(request: PendingRequest, command: Command, value?: Payload): void {
    const out = this.#out;
    const mark = out.length;
    try {
      if (typeof command === 'string') out.ascii(command);
      else command(out);
    } catch (error) {
      out.truncate(mark);
      return request.fail(asError(error));
    }
    const refusal = this.#refusal();
    if (refusal !== undefined) {
      out.truncate(mark);
      return request.fail(refusal);
    }
    if (value !== undefined) {
      if (typeof value === 'string') out.utf8(value);
      else out.bytes(value);
      out.ascii(CRLF);
    }
    if (this.pending === 0) this.#waitingSince = this.#settings.clock.now();
    this.#queue.push(request);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // After the I/O callbacks of this loop turn: every call made meanwhile (also those made
      // in reaction to other sockets' replies) shares one write. Not the clock's: this waits
      // for the end of a loop turn, not for time to pass (a clock's timer would add a delay).
      setImmediate(this.#flush);
    }
    this.#armWatchdog();
  }

  /** Why nothing can be sent now (closed, or waiting out the back-off); opens an idle connection. */
  #refusal(): Error | undefined {
    if (this.#state === 'closed') return new ClosedError(`Node ${this.#settings.id}`);
    if (this.#state === 'idle') {
      const wait = this.#retryAt - this.#settings.clock.now();
      if (wait > 0) return new ConnectionError(this.#settings.id, `not connected (${this.#lastError}); next attempt in ${Math.ceil(wait)} ms`);
      this.#open();
    }
    return undefined;
  }

  /**
   * A request outlived its caller's deadline. Its reply will be matched by token and dropped,
   * but bytes lost on the way would leave the connection waiting until the reply watchdog: the
   * server must now be heard from within `graceMs` (any reply) or the connection is dropped.
   * A slow server keeps its connection, and the other requests their callers' own deadlines.
   */
  suspect(graceMs: number): void {
    if (this.#socket === undefined) return;
    const until = this.#settings.clock.now() + graceMs;
    if (until >= this.#graceUntil) return;
    this.#graceUntil = until;
    this.#graceMs = graceMs;
    this.#armWatchdog();
  }

  /** Waits for the requests in flight, then closes. Later sends fail with ERR_CLIENT_CLOSED. */
  async close(): Promise<void> {
    if (this.#state === 'closed' && this.#socket === undefined) return;
    const wasOpen = this.#state !== 'closed';
    this.#state = 'closed';
    if (this.pending > 0 && wasOpen) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#drop(new ClosedError(`Node ${this.#settings.id}`));
  }

  /** Closes at once; requests in flight fail with ERR_CLIENT_CLOSED. */
  destroy(): void {
    this.#state = 'closed';
    this.#drop(new ClosedError(`Node ${this.#settings.id}`));
  }

  #open(): void {
    const { connectTimeoutMs, maxValueBytes, clock } = this.#settings;
    this.#state = 'connecting';
    const { socket, ready } = dial(this.#settings);
    this.#socket = socket;
    this.#parser = new ReplyParser(this.#onReply, maxValueBytes);
    this.#cancelConnectTimer = clock.schedule(() => this.#fail(socket, `no connection within ${connectTimeoutMs} ms`), connectTimeoutMs);
    socket.once(ready, () => {
      if (socket !== this.#socket) return;
      this.#cancelConnectTimer?.();
      this.#cancelConnectTimer = undefined;
      if (this.#state === 'connecting') this.#state = 'ready';
      const { login } = this.#settings;
      if (login !== undefined) {
        // Before anything queued meanwhile: its reply comes first, so it goes first in the queue.
        this.#queue.splice(this.#head, 0, new LoginRequest());
        socket.write(loginCommand(login.username, login.password));
      }
      this.#flush();
    });
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    socket.on('error', (error: Error) => this.#fail(socket, error.message, error));
    socket.on('close', () => this.#fail(socket, 'connection closed'));
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const socket = this.#socket;
    // Still connecting: the bytes wait for 'connect', which flushes again.
    if (socket === undefined || socket.connecting || (this.#state !== 'ready' && this.#state !== 'closed')) return;
    const chunks = this.#out.take();
    const [first] = chunks;
    if (chunks.length === 1 && first !== undefined) socket.write(first);
    else if (chunks.length > 1) {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
  };

  #onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.#socket) return;
    // Heard from: silence is counted from here, and a late call's grace is over.
    this.#waitingSince = this.#settings.clock.now();
    this.#graceUntil = Infinity;
    try {
      this.#parser?.push(chunk);
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error;
      this.#fail(socket, error.message, error);
    }
  }

  readonly #onReply = (reply: Reply): void => {
    const request = this.#queue[this.#head];
    if (request === undefined) throw new ProtocolViolation(`unsolicited ${reply.code}`);
    const isError = reply.code === 'ERROR' || reply.code === 'CLIENT_ERROR' || reply.code === 'SERVER_ERROR';
    const done = isError ? request.error(errorFromReply(this.#settings.id, reply)) : request.accept(reply);
    // A good reply proves the connection: the next failure starts the back-off afresh.
    this.#delayMs = this.#settings.reconnectDelayMs;
    if (done) this.#shift();
  };

  #shift(): void {
    this.#queue[this.#head++] = DONE;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      this.#drained?.();
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #fail(socket: Socket, reason: string, cause?: Error): void {
    if (socket !== this.#socket) return;
    this.#lastError = reason;
    const byRequest = cause instanceof ProtocolViolation && cause.byRequest;
    this.#drop(new ConnectionError(this.#settings.id, reason, cause === undefined ? undefined : { cause, byRequest }));
  }

  /** Ends the socket and fails every request on it; the next attempt waits the back-off. */
  #drop(error: Error): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#parser = undefined;
    this.#cancelConnectTimer?.();
    this.#cancelConnectTimer = undefined;
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = undefined;
    this.#watchdogAt = Infinity;
    this.#graceUntil = Infinity;
    socket?.destroy();
    // Dropped because of a request (the server is fine): the next call reconnects at once, with
    // no back-off that would fail calls as if the node were down.
    const byRequest = error instanceof ConnectionError && error.byRequest;
    if (socket !== undefined && !(error instanceof ClosedError) && !byRequest) {
      this.#retryAt = this.#settings.clock.now() + this.#delayMs;
      this.#delayMs = Math.min(this.#delayMs * 2, this.#settings.maxReconnectDelayMs);
    }
    if (this.#state !== 'closed') this.#state = 'idle';
    const queue = this.#queue;
    const head = this.#head;
    this.#queue = [];
    this.#head = 0;
    this.#out.clear();
    for (let index = head; index < queue.length; index++) queue[index]?.fail(error);
    this.#drained?.();
  }

  /**
   * When the connection must have heard from the server, with requests in flight: within
   * `replyTimeoutMs` of the last byte (a dead peer or a black hole; 0: never), and within a late
   * call's grace (`suspect`).
   */
  #silenceDeadline(): number {
    const { replyTimeoutMs } = this.#settings;
    return Math.min(replyTimeoutMs > 0 ? this.#waitingSince + replyTimeoutMs : Infinity, this.#graceUntil);
  }

  /** One timer for both silences, moved earlier when the deadline is; a later one re-checks when it fires. */
  #armWatchdog(): void {
    const at = this.#silenceDeadline();
    if (at === Infinity || at >= this.#watchdogAt) return;
    this.#cancelWatchdog?.();
    const { clock } = this.#settings;
    this.#watchdogAt = at;
    this.#cancelWatchdog = clock.schedule(this.#checkSilence, Math.max(0, at - clock.now()));
  }

  readonly #checkSilence = (): void => {
    this.#cancelWatchdog = undefined;
    this.#watchdogAt = Infinity;
    const socket = this.#socket;
    if (socket === undefined || this.pending === 0) {
      this.#graceUntil = Infinity;
      return;
    }
    const now = this.#settings.clock.now();
    if (now < this.#silenceDeadline()) return this.#armWatchdog();
    if (this.#graceUntil <= now) return this.#fail(socket, `no reply within ${this.#graceMs} ms after a late call`);
    this.#fail(socket, `no reply for ${Math.round(now - this.#waitingSince)} ms`);
  };
}

/** Fills answered slots so the queue holds no finished request. */
const DONE: PendingRequest = {
  accept: () => true,
  error: () => true,
  fail: () => undefined,
};
