import { ServerError, ValueTooLargeError } from '../../errors.js';
import type { StoredItem } from '../cache-node.js';
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
      this.#reject(error instanceof Error ? error : new Error(String(error)));
      return true;
    }
    this.#resolve(result);
    return true;
  }

  error(error: Error): boolean {
    this.#reject(error);
    if (this.#carriesValue && error instanceof ServerError && error.message.includes('CLIENT_ERROR')) {
      throw new ProtocolViolation('CLIENT_ERROR to a store: the server may read its value as a command');
    }
    return true;
  }

  fail(error: Error): void {
    this.#reject(error);
  }
}

/**
 * A multi-get as one request: quiet `mg`s with consecutive opaque tokens, then `mn`. Hits
 * answer VA in order with their own token, misses answer nothing, and MN ends the batch: a
 * token out of range or out of order is a protocol violation, so a value can never land on
 * another key. Settles once, at MN.
 */
export class MultiGetRequest implements PendingRequest {
  readonly #base: number;
  readonly #results: (StoredItem | undefined)[];
  readonly #resolve: Settle<(StoredItem | undefined)[]>;
  readonly #reject: Settle<Error>;
  #next = 0;
  #failure: Error | undefined;

  constructor(base: number, count: number, resolve: Settle<(StoredItem | undefined)[]>, reject: Settle<Error>) {
    this.#base = base;
    this.#results = new Array<StoredItem | undefined>(count).fill(undefined);
    this.#resolve = resolve;
    this.#reject = reject;
  }

  accept(reply: Reply): boolean {
    if (reply.code === 'MN') {
      if (this.#failure === undefined) this.#resolve(this.#results);
      else this.#reject(this.#failure);
      return true;
    }
    const index = reply.opaque - this.#base;
    if (reply.code !== 'VA' || reply.value === undefined || reply.opaque < 0 || index < this.#next || index >= this.#results.length) {
      throw new ProtocolViolation(`${reply.code} with opaque ${reply.opaque} inside a multi-get`);
    }
    this.#results[index] = { value: reply.value, flags: reply.flags };
    this.#next = index + 1;
    return false;
  }

  error(error: Error): boolean {
    // Error lines carry no token, so the key is unknown: the whole batch fails, at MN.
    this.#failure ??= error;
    return false;
  }

  fail(error: Error): void {
    this.#reject(error);
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

/** The typed error for an error line: the one place memcached's error replies are narrowed. */
export function errorFromReply(node: string, reply: Reply): Error {
  const message = `${reply.code}${reply.text === '' ? '' : ` ${reply.text}`}`;
  if (reply.code === 'SERVER_ERROR' && /too large/i.test(reply.text)) return new ValueTooLargeError(node, message);
  return new ServerError(node, message);
}
