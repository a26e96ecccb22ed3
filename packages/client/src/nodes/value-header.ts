/**
 * In-band flags for servers or drivers that cannot store them (redis; memcached through memjs).
 *
 * Raw bytes (flags 0) are written exactly as given, so other clients read them unchanged and
 * values they wrote read back raw. Any other format is written as
 * `MAGIC (4 bytes) | flags (uint32 BE) | bytes`. A raw value that happens to start with MAGIC
 * is written with a header too (flags 0), so reading is never ambiguous.
 */
import type { StoredItem } from './cache-node.js';

const MAGIC = Buffer.from([0xfe, 0x53, 0x43, 0x46]); // 0xfe never starts UTF-8 text
const HEADER_BYTES = MAGIC.length + 4;

function startsWithMagic(bytes: Buffer): boolean {
  return bytes.length >= HEADER_BYTES && bytes[0] === MAGIC[0] && bytes[1] === MAGIC[1] && bytes[2] === MAGIC[2] && bytes[3] === MAGIC[3];
}

/** The bytes to store for `value` with `flags`. */
export function withHeader(value: Buffer, flags: number): Buffer {
  if (flags === 0 && !startsWithMagic(value)) return value;
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(flags >>> 0, MAGIC.length);
  return Buffer.concat([header, value]);
}

/** The value and flags in stored bytes; bytes without a header are raw (flags 0). */
export function readHeader(stored: Buffer): StoredItem {
  if (!startsWithMagic(stored)) return { value: stored, flags: 0 };
  return { value: stored.subarray(HEADER_BYTES), flags: stored.readUInt32BE(MAGIC.length) };
}
