import { ProtocolViolation } from './protocol-violation.js';

/** The first word of every reply memcached's meta and text protocols can send us. */
export type ReplyCode = 'VA' | 'HD' | 'EN' | 'NF' | 'NS' | 'EX' | 'MN' | 'OK' | 'END' | 'STAT' | 'VERSION' | 'ERROR' | 'CLIENT_ERROR' | 'SERVER_ERROR';

/**
 * One reply, narrowed from the wire: the only place bytes from the server are interpreted. The
 * parser reuses one object for every reply: read it during the callback, keep only its fields.
 */
export interface Reply {
  readonly code: ReplyCode;
  /** The echoed `O` token of a meta reply (we send decimal numbers); -1 when absent. */
  readonly opaque: number;
  /** The `f` client flags (0 when absent). */
  readonly flags: number;
  /** The `c` CAS token. */
  readonly cas: string | undefined;
  /** The `t` remaining time to live in seconds (-1: none), when asked for. */
  readonly ttl: number | undefined;
  /** The data block of a `VA` reply. */
  readonly value: Buffer | undefined;
  /** The rest of a text line after its code: `name value` of a STAT, an error's message. */
  readonly text: string;
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
const TEXT_CODES = new Set<string>(['OK', 'END', 'STAT', 'VERSION', 'ERROR', 'CLIENT_ERROR', 'SERVER_ERROR']);

/** The one reply object a parser fills and hands out. */
class ReusedReply implements Reply {
  code: ReplyCode = 'MN';
  opaque = NO_OPAQUE;
  flags = 0;
  cas: string | undefined = undefined;
  ttl: number | undefined = undefined;
  value: Buffer | undefined = undefined;
  text = '';
}

/** A VA header whose data block is still arriving. */
interface PendingValue {
  readonly opaque: number;
  readonly flags: number;
  readonly cas: string | undefined;
  readonly ttl: number | undefined;
  /** The value plus its trailing CRLF, filled as chunks arrive. */
  readonly bytes: Buffer;
  filled: number;
}

/**
 * Turns the bytes of one connection into replies, whatever the chunking: lines split across
 * reads, values split over many. Meta lines are read byte by byte (no strings on the hot
 * path); a value wholly inside one chunk is a view of it (no copy: the codec copies raw bytes it
 * hands to the application), a value split over chunks is assembled in its own buffer. Anything malformed
 * throws a ProtocolViolation (the connection must be dropped).
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
  // The meta line being read (set by #metaLine).
  #opaque = NO_OPAQUE;
  #flags = 0;
  #cas: string | undefined;
  #ttl: number | undefined;
  #size = 0;

  /** `maxValueBytes`: a VA announcing more is treated as garbage rather than awaited. */
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
    let position = 0;
    while (position < length) {
      const pending = this.#value;
      if (pending !== undefined) {
        const copied = data.copy(pending.bytes, pending.filled, position);
        pending.filled += copied;
        position += copied;
        if (pending.filled < pending.bytes.length) return;
        this.#value = undefined;
        const { bytes } = pending;
        if (bytes[bytes.length - 2] !== CR || bytes[bytes.length - 1] !== LF) throw new ProtocolViolation('a value does not end with CRLF');
        this.#emit('VA', pending.opaque, pending.flags, pending.cas, pending.ttl, bytes.subarray(0, bytes.length - 2), '');
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
      if (code === undefined) {
        this.#textLine(data.toString('latin1', lineStart, lineEnd));
        continue;
      }
      this.#metaLine(data, lineStart + 2, lineEnd, code === 'VA');
      if (code !== 'VA') {
        this.#emit(code, this.#opaque, this.#flags, this.#cas, this.#ttl, undefined, '');
        continue;
      }
      const size = this.#size;
      if (length - position >= size + 2) {
        // The whole value is in this chunk: a view of it, no copy (decoding turns most values
        // into strings at once; raw bytes handed to the application are copied there).
        if (data[position + size] !== CR || data[position + size + 1] !== LF) throw new ProtocolViolation('a value does not end with CRLF');
        const value = data.subarray(position, position + size);
        position += size + 2;
        this.#emit(code, this.#opaque, this.#flags, this.#cas, this.#ttl, value, '');
      } else {
        // allocUnsafe: every byte is overwritten by the copies before anyone sees it.
        this.#value = { opaque: this.#opaque, flags: this.#flags, cas: this.#cas, ttl: this.#ttl, bytes: Buffer.allocUnsafe(size + 2), filled: 0 };
      }
    }
  }

  /**
   * Reads the tokens of a meta line between `from` and `to`: for VA the size first, then flags
   * (`O` opaque, `f` client flags, `c` CAS; others skipped). Each flag is one ASCII letter and a
   * value; anything else is not memcached talking.
   */
  #metaLine(data: Buffer, from: number, to: number, sized: boolean): void {
    this.#opaque = NO_OPAQUE;
    this.#flags = 0;
    this.#cas = undefined;
    this.#ttl = undefined;
    let index = from;
    if (sized) {
      const size = readNumber(data, index + 1, to);
      if (data[index] !== SPACE || size.value < 0 || size.value > this.#maxValueBytes) throw new ProtocolViolation('bad value size');
      this.#size = size.value;
      index = size.end;
    }
    while (index < to) {
      if (data[index] !== SPACE) throw new ProtocolViolation('bad reply flags');
      const letter = data[index + 1] ?? 0;
      if (!((letter >= 0x41 && letter <= 0x5a) || (letter >= 0x61 && letter <= 0x7a))) throw new ProtocolViolation('bad reply flag');
      if (letter === 0x4f || letter === 0x66) {
        const number = readNumber(data, index + 2, to);
        if (number.value < 0 || number.value > 0xffffffff) throw new ProtocolViolation(`bad ${letter === 0x4f ? 'opaque' : 'client flags'}`);
        if (letter === 0x4f) this.#opaque = number.value;
        else this.#flags = number.value;
        index = number.end;
        continue;
      }
      let end = index + 2;
      while (end < to && data[end] !== SPACE) end++;
      if (letter === 0x63) {
        const cas = data.toString('latin1', index + 2, end);
        if (!/^\d{1,20}$/.test(cas)) throw new ProtocolViolation('bad CAS token');
        this.#cas = cas;
      } else if (letter === 0x74) {
        const ttl = data.toString('latin1', index + 2, end);
        if (!/^-?\d{1,10}$/.test(ttl)) throw new ProtocolViolation('bad TTL');
        this.#ttl = Number(ttl);
      }
      index = end;
    }
  }

  #textLine(line: string): void {
    const space = line.indexOf(' ');
    const code = space === -1 ? line : line.slice(0, space);
    if (!TEXT_CODES.has(code)) throw new ProtocolViolation(`unknown reply ${JSON.stringify(line.slice(0, 40))}`);
    this.#emit(code as ReplyCode, NO_OPAQUE, 0, undefined, undefined, undefined, space === -1 ? '' : line.slice(space + 1));
  }

  #emit(code: ReplyCode, opaque: number, flags: number, cas: string | undefined, ttl: number | undefined, value: Buffer | undefined, text: string): void {
    const reply = this.#reply;
    reply.code = code;
    reply.opaque = opaque;
    reply.flags = flags;
    reply.cas = cas;
    reply.ttl = ttl;
    reply.value = value;
    reply.text = text;
    this.#onReply(reply);
  }
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
