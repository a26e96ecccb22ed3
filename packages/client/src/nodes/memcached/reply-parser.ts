import { ProtocolViolation } from './protocol-violation.js';

/** The first word of every reply memcached's meta and text protocols can send us. */
export type ReplyCode = 'VA' | 'HD' | 'EN' | 'NF' | 'NS' | 'EX' | 'MN' | 'VALUE' | 'OK' | 'END' | 'STAT' | 'VERSION' | 'STORED' | 'ERROR' | 'CLIENT_ERROR' | 'SERVER_ERROR';

/**
 * One reply, narrowed from the wire: the only place bytes from the server are interpreted. The
 * parser reuses one object for every reply: read it during the callback, keep only its fields.
 */
export interface Reply {
  readonly code: ReplyCode;
  /** The echoed `O` token of a meta reply (we send decimal numbers); -1 when absent. */
  readonly opaque: number;
  /** The `f` client flags of a meta reply, the flags of a text VALUE (0 when absent). */
  readonly flags: number;
  /** The `c` CAS token. */
  readonly cas: string | undefined;
  /** The `t` remaining time to live in seconds (-1: none), when asked for. */
  readonly ttl: number | undefined;
  /** The data block of a `VA` or `VALUE` reply, as a view (made at each read: read it once). */
  readonly value: Buffer | undefined;
  /** Where that data block lies, to read it without a view: `data` from `start` to `end`. */
  readonly data: Buffer | undefined;
  readonly start: number;
  readonly end: number;
  /** The rest of a text line after its code: `name value` of a STAT, an error's message. */
  readonly text: string;
  /**
   * For a text VALUE: when its key is written in `bytes` at `start` (and ends at `limit` or a
   * space), where that key ends; -1 when not.
   */
  keyEndAt(bytes: Uint8Array, start: number, limit: number): number;
}

/** Longest reply line accepted (STAT and error lines are far shorter): anything longer is garbage. */
const MAX_LINE_BYTES = 8192;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const NO_OPAQUE = -1;
/** Two-letter meta codes as `first << 8 | second`. */
const META_CODES = new Map<number, ReplyCode>(
  (['VA', 'HD', 'EN', 'NF', 'NS', 'EX', 'MN'] as const).map((code) => [(code.charCodeAt(0) << 8) | code.charCodeAt(1), code]),
);
const TEXT_CODES = new Set<string>(['OK', 'END', 'STAT', 'VERSION', 'STORED', 'ERROR', 'CLIENT_ERROR', 'SERVER_ERROR']);
const VALUE_PREFIX = Buffer.from('VALUE ', 'latin1');

/** The one reply object a parser fills and hands out. */
class ReusedReply implements Reply {
  code: ReplyCode = 'MN';
  opaque = NO_OPAQUE;
  flags = 0;
  cas: string | undefined = undefined;
  ttl: number | undefined = undefined;
  data: Buffer | undefined = undefined;
  start = 0;
  end = 0;
  text = '';
  /** Where a VALUE's key lies (the chunk it came in, or a copy). */
  keySource: Buffer | undefined = undefined;
  keyStart = 0;
  keyEnd = 0;

  /** Starts a reply with `code`: every other field back to absent. */
  reset(code: ReplyCode): void {
    this.code = code;
    this.opaque = NO_OPAQUE;
    this.flags = 0;
    this.cas = undefined;
    this.ttl = undefined;
    this.data = undefined;
    this.text = '';
    this.keySource = undefined;
  }

  get value(): Buffer | undefined {
    return this.data?.subarray(this.start, this.end);
  }

  keyEndAt(bytes: Uint8Array, start: number, limit: number): number {
    const source = this.keySource;
    const keyStart = this.keyStart;
    const end = start + this.keyEnd - keyStart;
    if (source === undefined || end > limit || (end < limit && bytes[end] !== SPACE)) return -1;
    for (let index = start; index < end; index++) if (source[keyStart + index - start] !== bytes[index]) return -1;
    return end;
  }
}

/** A VA or VALUE whose data block is still arriving. */
interface PendingValue {
  readonly code: 'VA' | 'VALUE';
  readonly opaque: number;
  readonly flags: number;
  readonly cas: string | undefined;
  readonly ttl: number | undefined;
  /** A VALUE's key, copied out of the chunk it came in. */
  readonly key: Buffer | undefined;
  /** The value plus its trailing CRLF, filled as chunks arrive. */
  readonly bytes: Buffer;
  filled: number;
}

/**
 * Turns the bytes of one connection into replies, whatever the chunking: lines split across
 * reads, values split over many. Meta and VALUE lines are read byte by byte (no strings on the
 * hot path); a value wholly inside one chunk is handed over where it lies (`data`, `start`,
 * `end`: no copy, and no view unless `value` is read), a value split over chunks is assembled
 * in its own buffer. Anything malformed throws a ProtocolViolation (the connection must be dropped).
 *
 * @example
 * const parser = new ReplyParser((reply) => console.log(reply.code), 1 << 20);
 * parser.push(Buffer.from('VA 2 O7 f0\r\nhi\r\nEN O8\r\n')); // VA, EN
 */
export class ReplyParser {
  readonly #onReply: (reply: Reply) => void;
  readonly #maxValueBytes: number;
  readonly #reply = new ReusedReply();
  #rest: Buffer | undefined;
  #value: PendingValue | undefined;
  /** The size of the data block announced by the line just read. */
  #size = 0;

  /** `maxValueBytes`: a VA or VALUE announcing more is treated as garbage rather than awaited. */
  constructor(onReply: (reply: Reply) => void, maxValueBytes: number) {
    this.#onReply = onReply;
    this.#maxValueBytes = maxValueBytes;
  }

  /** Feeds one chunk; emits every complete reply in it. Throws ProtocolViolation on garbage. */
  push(chunk: Buffer): void {
    let data = chunk;
    if (this.#rest !== undefined) {
      data = Buffer.concat([this.#rest, chunk]);
      this.#rest = undefined;
    }
    const length = data.length;
    const reply = this.#reply;
    let position = 0;
    while (position < length) {
      const pending = this.#value;
      if (pending !== undefined) {
        const copied = data.copy(pending.bytes, pending.filled, position);
        pending.filled += copied;
        position += copied;
        if (pending.filled < pending.bytes.length) return;
        this.#value = undefined;
        const { bytes, key } = pending;
        if (bytes[bytes.length - 2] !== CR || bytes[bytes.length - 1] !== LF) throw new ProtocolViolation('a value does not end with CRLF');
        reply.reset(pending.code);
        reply.opaque = pending.opaque;
        reply.flags = pending.flags;
        reply.cas = pending.cas;
        reply.ttl = pending.ttl;
        this.#dataAt(bytes, 0, bytes.length - 2);
        if (key !== undefined) this.#keyAt(key, 0, key.length);
        this.#onReply(reply);
        continue;
      }
      let end = position;
      while (end < length && data[end] !== LF) end++;
      if (end === length) {
        if (length - position > MAX_LINE_BYTES) throw new ProtocolViolation(`no line end within ${MAX_LINE_BYTES} bytes`);
        this.#rest = data.subarray(position);
        return;
      }
      if (end === position || data[end - 1] !== CR) throw new ProtocolViolation('a line does not end with CRLF');
      const lineStart = position;
      const lineEnd = end - 1;
      position = end + 1;
      const code = lineEnd - lineStart >= 2 && (lineEnd - lineStart === 2 || data[lineStart + 2] === SPACE) ? META_CODES.get(((data[lineStart] ?? 0) << 8) | (data[lineStart + 1] ?? 0)) : undefined;
      if (code !== undefined) this.#metaLine(data, code, lineStart + 2, lineEnd);
      else if (isValueLine(data, lineStart, lineEnd)) this.#valueLine(data, lineStart + VALUE_PREFIX.length, lineEnd);
      else {
        this.#textLine(data.toString('latin1', lineStart, lineEnd));
        continue;
      }
      if (reply.code !== 'VA' && reply.code !== 'VALUE') {
        this.#onReply(reply);
        continue;
      }
      const size = this.#size;
      if (length - position >= size + 2) {
        // The whole value is in this chunk: read where it lies, no copy (decoding turns most
        // values into strings at once; raw bytes handed to the application are copied there).
        if (data[position + size] !== CR || data[position + size + 1] !== LF) throw new ProtocolViolation('a value does not end with CRLF');
        this.#dataAt(data, position, position + size);
        position += size + 2;
        this.#onReply(reply);
      } else {
        // allocUnsafe: every byte is overwritten by the copies before anyone sees it.
        const key = reply.keySource === undefined ? undefined : Buffer.from(reply.keySource.subarray(reply.keyStart, reply.keyEnd));
        this.#value = { code: reply.code, opaque: reply.opaque, flags: reply.flags, cas: reply.cas, ttl: reply.ttl, key, bytes: Buffer.allocUnsafe(size + 2), filled: 0 };
      }
    }
  }

  /**
   * Reads the tokens of a meta line between `from` and `to` into the reply: for VA the size
   * first, then flags (`O` opaque, `f` client flags, `c` CAS, `t` TTL; others skipped). Each
   * flag is one ASCII letter and a value; anything else is not memcached talking.
   */
  #metaLine(data: Buffer, code: ReplyCode, from: number, to: number): void {
    const reply = this.#reply;
    reply.reset(code);
    let index = from;
    if (code === 'VA') index = this.#sizeAt(data, index, to);
    while (index < to) {
      if (data[index] !== SPACE) throw new ProtocolViolation('bad reply flags');
      const letter = data[index + 1] ?? 0;
      if (!((letter >= 0x41 && letter <= 0x5a) || (letter >= 0x61 && letter <= 0x7a))) throw new ProtocolViolation('bad reply flag');
      if (letter === 0x4f || letter === 0x66) {
        const number = readNumber(data, index + 2, to);
        if (number.value < 0 || number.value > 0xffffffff) throw new ProtocolViolation(`bad ${letter === 0x4f ? 'opaque' : 'client flags'}`);
        if (letter === 0x4f) reply.opaque = number.value;
        else reply.flags = number.value;
        index = number.end;
        continue;
      }
      let end = index + 2;
      while (end < to && data[end] !== SPACE) end++;
      if (letter === 0x63) reply.cas = readCas(data, index + 2, end);
      else if (letter === 0x74) {
        const ttl = data.toString('latin1', index + 2, end);
        if (!/^-?\d{1,10}$/.test(ttl)) throw new ProtocolViolation('bad TTL');
        reply.ttl = Number(ttl);
      }
      index = end;
    }
  }

  /** `VALUE <key> <flags> <bytes>[ <cas>]` from after `VALUE ` to `to`, into the reply. */
  #valueLine(data: Buffer, from: number, to: number): void {
    const reply = this.#reply;
    reply.reset('VALUE');
    let index = from;
    while (index < to && data[index] !== SPACE) index++;
    if (index === from || index === to) throw new ProtocolViolation('bad VALUE line');
    this.#keyAt(data, from, index);
    const flags = readNumber(data, index + 1, to);
    if (flags.value < 0 || flags.value > 0xffffffff) throw new ProtocolViolation('bad VALUE flags');
    reply.flags = flags.value;
    index = this.#sizeAt(data, flags.end, to);
    if (index < to) {
      if (data[index] !== SPACE) throw new ProtocolViolation('bad VALUE line');
      reply.cas = readCas(data, index + 1, to);
    }
  }

  /** The ` <size>` of a data block at `index`; returns where it ends. */
  #sizeAt(data: Buffer, index: number, to: number): number {
    const size = readNumber(data, index + 1, to);
    if (data[index] !== SPACE || size.value < 0 || size.value > this.#maxValueBytes) throw new ProtocolViolation('bad value size');
    this.#size = size.value;
    return size.end;
  }

  #dataAt(data: Buffer, start: number, end: number): void {
    const reply = this.#reply;
    reply.data = data;
    reply.start = start;
    reply.end = end;
  }

  #keyAt(source: Buffer, start: number, end: number): void {
    const reply = this.#reply;
    reply.keySource = source;
    reply.keyStart = start;
    reply.keyEnd = end;
  }

  #textLine(line: string): void {
    const space = line.indexOf(' ');
    const code = space === -1 ? line : line.slice(0, space);
    if (!TEXT_CODES.has(code)) throw new ProtocolViolation(`unknown reply ${JSON.stringify(line.slice(0, 40))}`);
    const reply = this.#reply;
    reply.reset(code as ReplyCode);
    reply.text = space === -1 ? '' : line.slice(space + 1);
    this.#onReply(reply);
  }
}

function isValueLine(data: Buffer, start: number, end: number): boolean {
  if (end - start <= VALUE_PREFIX.length) return false;
  for (let index = 0; index < VALUE_PREFIX.length; index++) if (data[start + index] !== VALUE_PREFIX[index]) return false;
  return true;
}

/** A CAS token: 1 to 20 digits. */
function readCas(data: Buffer, from: number, to: number): string {
  const cas = data.toString('latin1', from, to);
  if (!/^\d{1,20}$/.test(cas)) throw new ProtocolViolation('bad CAS token');
  return cas;
}

const result = { value: 0, end: 0 };

/**
 * The decimal number at `from` (1 to 10 digits, ending at a space or `to`); value -1 when
 * there is none. Returns a shared object: read it at once.
 */
function readNumber(data: Buffer, from: number, to: number): { readonly value: number; readonly end: number } {
  let value = 0;
  let index = from;
  while (index < to && data[index] !== SPACE) {
    const digit = (data[index] ?? 0) - 0x30;
    if (digit < 0 || digit > 9 || index - from >= 10) {
      result.value = -1;
      result.end = index;
      return result;
    }
    value = value * 10 + digit;
    index++;
  }
  result.value = index === from ? -1 : value;
  result.end = index;
  return result;
}
