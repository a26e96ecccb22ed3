/**
 * In-band flags for servers or drivers that cannot store them (redis; memcached through memjs).
 *
 * Raw bytes (flags 0) are written exactly as given, so other clients read them unchanged and
 * values they wrote read back raw. Any other format is written as
 * `MAGIC (4 bytes) | flags (8 hex digits) | bytes`. The header is ASCII, so a string value
 * and its header stay one string down to the driver. A raw value that happens to start with
 * MAGIC is written with a header too (flags 0), so reading is never ambiguous.
 */
import type { Payload, StoredItem } from './cache-node.js';

const MAGIC = '\u0000\u001bSC'; // NUL ESC "SC": no text value starts this way
const MAGIC_BYTES = Buffer.from(MAGIC, 'latin1');
const FLAG_DIGITS = 8;
const HEADER_BYTES = MAGIC.length + FLAG_DIGITS;

// A client writes few distinct flags (one per value format): their headers are made once.
const headers = new Map<number, string>();

function header(flags: number): string {
  let made = headers.get(flags);
  if (made === undefined) {
    made = MAGIC + (flags >>> 0).toString(16).padStart(FLAG_DIGITS, '0');
    if (headers.size < 256) headers.set(flags, made);
  }
  return made;
}

function startsWithMagic(bytes: Buffer): boolean {
  return bytes.length >= HEADER_BYTES && bytes[0] === 0 && bytes[1] === 0x1b && bytes[2] === 0x53 && bytes[3] === 0x43;
}

/** The payload to store for `value` with `flags`. */
export function withHeader(value: Payload, flags: number): Payload {
  if (typeof value === 'string') {
    if (flags === 0 && !value.startsWith(MAGIC)) return value;
    return header(flags) + value;
  }
  if (flags === 0 && !startsWithMagic(value)) return value;
  return Buffer.concat([Buffer.from(header(flags), 'latin1'), value]);
}

/** The value and flags in stored bytes; bytes without a header are raw (flags 0). */
export function readHeader(stored: Buffer): StoredItem {
  if (!startsWithMagic(stored)) return { value: stored, flags: 0 };
  const flags = parseFlags(stored);
  // A header that does not parse is not ours: hand the bytes over untouched.
  if (flags < 0) return { value: stored, flags: 0 };
  return { value: stored.subarray(HEADER_BYTES), flags };
}

/** The 8 lower-case hex digits after MAGIC as a number, or -1 (read from the bytes: no string is made). */
function parseFlags(stored: Buffer): number {
  let flags = 0;
  for (let at = MAGIC_BYTES.length; at < HEADER_BYTES; at++) {
    const digit = HEX_VALUE[stored[at] ?? 0] ?? -1;
    if (digit < 0) return -1;
    flags = flags * 16 + digit;
  }
  return flags;
}

const HEX_VALUE = Int8Array.from({ length: 256 }, (_, byte) => {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
});
