import { readU32LE } from '../internal/bytes.js';

// Reused per call: md5 runs on lookup paths (twemproxy `hash: md5`) and must not allocate.
const block = new Int32Array(16);
const state = new Int32Array(4);

/**
 * One 64-byte block folded into `state` (RFC 1321, section 3.4), fully unrolled: helper calls
 * per step were not inlined by V8 and cost 5x (each step is `a = b + rotl(a + F(b,c,d) + x + k, s)`).
 */
function compress(x: Int32Array): void {
  let a = state[0] ?? 0, b = state[1] ?? 0, c = state[2] ?? 0, d = state[3] ?? 0;
  const x0 = x[0] ?? 0, x1 = x[1] ?? 0, x2 = x[2] ?? 0, x3 = x[3] ?? 0, x4 = x[4] ?? 0, x5 = x[5] ?? 0;
  const x6 = x[6] ?? 0, x7 = x[7] ?? 0, x8 = x[8] ?? 0, x9 = x[9] ?? 0, x10 = x[10] ?? 0, x11 = x[11] ?? 0;
  const x12 = x[12] ?? 0, x13 = x[13] ?? 0, x14 = x[14] ?? 0, x15 = x[15] ?? 0;
  const a0 = a, b0 = b, c0 = c, d0 = d;
  let t: number;
  t = (a + ((b & c) | (~b & d)) + x0 + -680876936) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x1 + -389564586) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x2 + 606105819) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x3 + -1044525330) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + x4 + -176418897) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x5 + 1200080426) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x6 + -1473231341) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x7 + -45705983) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + x8 + 1770035416) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x9 + -1958414417) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x10 + -42063) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x11 + -1990404162) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + x12 + 1804603682) | 0; a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + x13 + -40341101) | 0; d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + x14 + -1502002290) | 0; c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + x15 + 1236535329) | 0; b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + x1 + -165796510) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + x6 + -1069501632) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + x11 + 643717713) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + x0 + -373897302) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + x5 + -701558691) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + x10 + 38016083) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + x15 + -660478335) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + x4 + -405537848) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + x9 + 568446438) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + x14 + -1019803690) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + x3 + -187363961) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + x8 + 1163531501) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + x13 + -1444681467) | 0; a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + x2 + -51403784) | 0; d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + x7 + 1735328473) | 0; c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + x12 + -1926607734) | 0; b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + (b ^ c ^ d) + x5 + -378558) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x8 + -2022574463) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x11 + 1839030562) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x14 + -35309556) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + x1 + -1530992060) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x4 + 1272893353) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x7 + -155497632) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x10 + -1094730640) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + x13 + 681279174) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x0 + -358537222) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x3 + -722521979) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x6 + 76029189) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + x9 + -640364487) | 0; a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + x12 + -421815835) | 0; d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + x15 + 530742520) | 0; c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + x2 + -995338651) | 0; b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x0 + -198630844) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x7 + 1126891415) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x14 + -1416354905) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x5 + -57434055) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x12 + 1700485571) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x3 + -1894986606) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x10 + -1051523) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x1 + -2054922799) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x8 + 1873313359) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x15 + -30611744) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x6 + -1560198380) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x13 + 1309151649) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + x4 + -145523070) | 0; a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + x11 + -1120210379) | 0; d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + x2 + 718787259) | 0; c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + x9 + -343485551) | 0; b = (((t << 21) | (t >>> 11)) + c) | 0;
  state[0] = (a + a0) | 0;
  state[1] = (b + b0) | 0;
  state[2] = (c + c0) | 0;
  state[3] = (d + d0) | 0;
}

/** Runs MD5 over `bytes[start, end)`, leaving the digest as four little-endian words in `state`. */
function md5State(bytes: Uint8Array, start: number, end: number): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  let i = start;
  for (; end - i >= 64; i += 64) {
    for (let w = 0; w < 16; w++) block[w] = readU32LE(bytes, i + 4 * w);
    compress(block);
  }
  // Final block(s): the remaining bytes, 0x80, zeros, then the bit length (little-endian 64-bit).
  block.fill(0);
  const rest = end - i;
  for (let j = 0; j < rest; j++) block[j >> 2] = (block[j >> 2] ?? 0) | ((bytes[i + j] ?? 0) << ((j & 3) * 8));
  block[rest >> 2] = (block[rest >> 2] ?? 0) | (0x80 << ((rest & 3) * 8));
  if (rest >= 56) {
    compress(block);
    block.fill(0);
  }
  const bits = (end - start) * 8;
  block[14] = bits | 0;
  block[15] = Math.floor(bits / 0x100000000) | 0;
  compress(block);
}

/**
 * The MD5 digest (RFC 1321) of `bytes[start, end)` as 16 bytes.
 *
 * @example
 * md5Digest(new Uint8Array(0)); // d4 1d 8c d9 8f 00 b2 04 e9 80 09 98 ec f8 42 7e
 */
export function md5Digest(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  md5State(bytes, start, end);
  const out = new Uint8Array(16);
  for (let j = 0; j < 16; j++) out[j] = ((state[j >> 2] ?? 0) >>> ((j & 3) * 8)) & 0xff;
  return out;
}

/**
 * The digest as four little-endian words in `out`: word 0 is the `md5` key hash, and words 0..3
 * are the four ketama points of one server label (so a label is hashed once, not four times).
 *
 * @example
 * const w = new Uint32Array(4); md5Words(bytes, 0, bytes.length, w);
 */
export function md5Words(bytes: Uint8Array, start: number, end: number, out: Uint32Array): void {
  md5State(bytes, start, end);
  out.set(state);
}

/**
 * twemproxy's and libmemcached's `md5` key hash: the digest's first four bytes, little-endian.
 *
 * @example
 * md5(new Uint8Array(0), 0, 0); // 0xd98c1dd4
 */
export function md5(bytes: Uint8Array, start: number, end: number): number {
  md5State(bytes, start, end);
  return (state[0] ?? 0) >>> 0;
}
