import { ServerError, ValueTooLargeError } from '../../errors.js';
import { asError } from '../../internal/as-error.js';
import type { ItemReader } from '../cache-node.js';
import { ProtocolViolation } from './protocol-violation.js';
import type { Reply } from './reply-parser.js';

/**
 * A request written to a connection and waiting for its reply. Replies come back in order, so
 * the connection hands each one to the oldest request; the request checks that the reply is
 * its own (opaque token, expected code) and throws a ProtocolViolation when it cannot be.
 */
export interface PendingRequest {
  /** Takes the next reply; true once the request is complete. */
  accept(reply: Reply): boolean;
  /** The server answered with an error line (which carries no opaque); true once complete. */
  error(error: Error): boolean;
  /** The connection failed or closed before the reply came. */
  fail(error: Error): void;
}

type Settle<T> = (value: T) => void;
const SPACE = 0x20;

/**
 * One meta command with one opaque token. `interpret` narrows the reply to the result; it
 * throws a ShardcacheError for an answer that fails only this call, or a ProtocolViolation.
 */
export class MetaRequest<T> implements PendingRequest {
  readonly #opaque: number;
  readonly #interpret: (reply: Reply) => T;
  readonly #resolve: Settle<T>;
  readonly #reject: Settle<Error>;
  readonly #carriesValue: boolean;

  /** `carriesValue`: an `ms`, after whose CLIENT_ERROR memcached may read the value as a command. */
  constructor(opaque: number, interpret: (reply: Reply) => T, resolve: Settle<T>, reject: Settle<Error>, carriesValue = false) {
    this.#opaque = opaque;
    this.#interpret = interpret;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#carriesValue = carriesValue;
  }

  accept(reply: Reply): boolean {
    if (reply.opaque !== this.#opaque) throw new ProtocolViolation(`reply with opaque ${reply.opaque} while O${this.#opaque} was due`);
    let result: T;
    try {
      result = this.#interpret(reply);
    } catch (error) {
      if (error instanceof ProtocolViolation) throw error;
      this.#reject(asError(error));
      return true;
    }
    this.#resolve(result);
    return true;
  }

  error(error: Error): boolean {
    this.#reject(error);
    if (this.#carriesValue && error instanceof ServerError && error.message.includes('CLIENT_ERROR')) {
      throw new ProtocolViolation('CLIENT_ERROR to a store: the server may read its value as a command', { byRequest: true });
    }
    return true;
  }

  fail(error: Error): void {
    this.#reject(error);
  }
}

/**
 * A multi-get as one request, in one of two forms:
 * - text `get k1 k2 ...` (one command, the server's cheapest multi-get): hits answer VALUE
 *   lines in the order asked, each naming its key; END ends the reply, or an error line does
 *   (memcached writes no END after one). A key is matched from where the last one was found (a
 *   key asked twice is answered twice), so a VALUE for a key not asked for, or out of order, is
 *   a protocol violation.
 * - quiet `mg`s with consecutive opaque tokens, then `mn` (for keys only the meta protocol can
 *   carry, in base64): hits answer VA with their own token, in order; misses answer nothing;
 *   MN ends the batch.
 * Either way a value can never land on another key.
 */
export class MultiGetRequest<T> implements PendingRequest {
  readonly #read: ItemReader<T>;
  readonly #results: (T | undefined)[];
  readonly #resolve: Settle<(T | undefined)[]>;
  readonly #reject: Settle<Error>;
  /** The keys as sent in a text `get`, space-separated (compared to VALUE keys as bytes). */
  #line: Buffer | undefined;
  /** Where the first key not yet answered starts in `#line`. */
  #cursor = 0;
  /** The first opaque token, when sent as `mg`s. */
  #base = -1;
  #next = 0;
  #failure: Error | undefined;

  /** `read` turns each hit into a result as it arrives (a throw fails the request when its reply ends). */
  constructor(count: number, read: ItemReader<T>, resolve: Settle<(T | undefined)[]>, reject: Settle<Error>) {
    this.#read = read;
    this.#results = new Array<T | undefined>(count).fill(undefined);
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Sent as one text `get` of these keys (their bytes, space-separated). */
  sentAsText(line: Buffer): void {
    this.#line = line;
  }

  /** Sent as quiet `mg`s whose tokens start at `base`. */
  sentAsMeta(base: number): void {
    this.#base = base;
  }

  accept(reply: Reply): boolean {
    const line = this.#line;
    switch (reply.code) {
      case 'VALUE':
        if (line !== undefined) return this.#found(this.#indexOf(reply, line), reply);
        break;
      case 'VA':
        if (line === undefined) return this.#found(reply.opaque < 0 ? -1 : reply.opaque - this.#base, reply);
        break;
      case 'END':
        if (line !== undefined) return this.#settle();
        break;
      case 'MN':
        if (line === undefined) return this.#settle();
        break;
    }
    throw new ProtocolViolation(`${describe(reply)} inside a multi-get`);
  }

  error(error: Error): boolean {
    // Error lines carry no key or token: the whole request fails. A text get ends there; the
    // quiet gets end at MN.
    this.#failure ??= error;
    return this.#line !== undefined && this.#settle();
  }

  fail(error: Error): void {
    this.#reject(error);
  }

  #settle(): true {
    if (this.#failure === undefined) this.#resolve(this.#results);
    else this.#reject(this.#failure);
    return true;
  }

  /** Where the VALUE's key is among those not yet answered (misses are skipped); -1 when it is not. */
  #indexOf(reply: Reply, line: Buffer): number {
    let start = this.#cursor;
    for (let index = this.#next; index < this.#results.length; index++) {
      const end = reply.keyEndAt(line, start, line.length);
      if (end >= 0) {
        this.#cursor = end + 1;
        return index;
      }
      // That key was a miss: on to the next.
      while (start < line.length && line[start] !== SPACE) start++;
      start++;
    }
    return -1;
  }

  #found(index: number, reply: Reply): boolean {
    const { data } = reply;
    if (index < this.#next || index >= this.#results.length || data === undefined) {
      throw new ProtocolViolation(`${describe(reply)} for no key awaiting it in a multi-get`);
    }
    this.#next = index + 1;
    if (this.#failure !== undefined) return false;
    try {
      this.#results[index] = this.#read(index, reply.flags, data, reply.start, reply.end);
    } catch (error) {
      this.#failure = asError(error);
    }
    return false;
  }
}

/** A text-protocol command: `flush_all` (OK), `mn` (MN), or `stats` (STAT lines, then END). */
export class TextRequest implements PendingRequest {
  readonly #expect: 'OK' | 'MN' | 'END';
  readonly #resolve: Settle<Record<string, string>>;
  readonly #reject: Settle<Error>;
  readonly #stats: Record<string, string> = {};

  constructor(expect: 'OK' | 'MN' | 'END', resolve: Settle<Record<string, string>>, reject: Settle<Error>) {
    this.#expect = expect;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  accept(reply: Reply): boolean {
    if (this.#expect === 'END' && reply.code === 'STAT') {
      const space = reply.text.indexOf(' ');
      if (space > 0) this.#stats[reply.text.slice(0, space)] = reply.text.slice(space + 1);
      return false;
    }
    if (reply.code !== this.#expect) throw new ProtocolViolation(`${reply.code} while ${this.#expect} was due`);
    this.#resolve(this.#stats);
    return true;
  }

  error(error: Error): boolean {
    this.#reject(error);
    return true;
  }

  fail(error: Error): void {
    this.#reject(error);
  }
}

/**
 * memcached's text-protocol login (`-Y`), the first request of every connection: `STORED`, or
 * the connection is dropped and every request on it fails (a node failure, as a refused TLS
 * handshake is). The password is in no message.
 */
export class LoginRequest implements PendingRequest {
  accept(reply: Reply): boolean {
    if (reply.code !== 'STORED') throw new ProtocolViolation(`${describe(reply)} in answer to the login`);
    return true;
  }

  error(error: Error): boolean {
    throw new ProtocolViolation(`the server refused the login (${error.message.replace(/^.*?: /, '')})`);
  }

  fail(): void {
    // Nobody waits on the login itself: the requests behind it fail with the connection.
  }
}

/** The login command: a `set` whose data is `user password` (memcached ignores its key). */
export function loginCommand(username: string, password: string): string {
  const data = `${username} ${password}`;
  return `set login 0 0 ${Buffer.byteLength(data)}\r\n${data}\r\n`;
}

/** A reply's code and token, for a protocol violation's message. */
function describe(reply: Reply): string {
  return reply.opaque < 0 ? reply.code : `${reply.code} with opaque ${reply.opaque}`;
}

/** The typed error for an error line: the one place memcached's error replies are narrowed. */
export function errorFromReply(node: string, reply: Reply): Error {
  const message = `${reply.code}${reply.text === '' ? '' : ` ${reply.text}`}`;
  if (reply.code === 'SERVER_ERROR' && /too large/i.test(reply.text)) return new ValueTooLargeError(node, message);
  return new ServerError(node, message);
}
