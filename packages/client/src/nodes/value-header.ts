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

function header(flags: number): string {
  return MAGIC + (flags >>> 0).toString(16).padStart(FLAG_DIGITS, '0');
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
  const flags = Number.parseInt(stored.toString('latin1', MAGIC_BYTES.length, HEADER_BYTES), 16);
  // A header that does not parse is not ours: hand the bytes over untouched.
  if (!Number.isInteger(flags)) return { value: stored, flags: 0 };
  return { value: stored.subarray(HEADER_BYTES), flags };
}
