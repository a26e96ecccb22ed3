// CRC-16/XMODEM table (polynomial 0x1021, not reflected), built once.
const TABLE = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  TABLE[n] = c & 0xffff;
}

/**
 * twemproxy's `crc16`: CRC-16/XMODEM steps, but the running value is a uint32 that is never
 * masked to 16 bits, so keys longer than two bytes give values above 0xffff (as twemproxy does).
 *
 * @example
 * crc16(new TextEncoder().encode('123456789'), 0, 9) & 0xffff; // 0x31c3, the XMODEM check value
 */
export function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = (crc << 8) ^ (TABLE[((crc >>> 8) ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return crc >>> 0;
}
