// The reflected CRC-32 table (polynomial 0xEDB88320), built once instead of spelled out.
const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

function crc32Raw(bytes: Uint8Array, start: number, end: number): number {
  let crc = -1;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (TABLE[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return ~crc;
}

/**
 * libmemcached's `"crc"` hash (twemproxy `crc32`): bits 16..30 of the standard CRC-32, so it
 * only ever returns values below 2^15. Compatible, not a CRC.
 *
 * @example
 * crc32(new TextEncoder().encode('123456789'), 0, 9); // (0xcbf43926 >>> 16) & 0x7fff
 */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  return (crc32Raw(bytes, start, end) >>> 16) & 0x7fff;
}

/**
 * The standard CRC-32 (ISO-HDLC, as zlib), twemproxy's `crc32a`.
 *
 * @example
 * crc32a(new TextEncoder().encode('123456789'), 0, 9); // 0xcbf43926
 */
export function crc32a(bytes: Uint8Array, start: number, end: number): number {
  return crc32Raw(bytes, start, end) >>> 0;
}
