import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKey, hashNames, md5Digest, type HashName } from '../src/index.js';
import { murmur3, murmur3String } from '../src/hash/murmur3.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

describe('md5 (RFC 1321, appendix A.5 test suite)', () => {
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ])('md5(%j)', (input, digest) => {
    expect(hex(md5Digest(Buffer.from(input, 'utf8')))).toBe(digest);
  });

  it('agrees with node:crypto on every length around the 55/56/64-byte padding edges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        expect(hex(md5Digest(bytes))).toBe(createHash('md5').update(bytes).digest('hex'));
      }),
    );
  });
});

// Inputs (hex) and the values twemproxy 0.5.0's own src/hashkit/*.c return for them, compiled
// with gcc on x86-64 (char is signed), and libmemcached 1.1.4's MurmurHash3_x86_32, each
// called on these inputs once, outside this repository (its sources are not ours to commit).
// They include non-ASCII bytes, which several hashes sign-extend.
const INPUTS = [
  '', '61', '616263', '313233343536373839', '757365723a3432', 'c3a9', 'e697a5e69cac', 'ff80', 'f09f9491',
  '54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f67',
  '30313233343536373839616263',
  '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40',
];
const REFERENCE: Record<Exclude<HashName, 'murmur3'>, number[]> = {
  one_at_a_time: [0x00000000, 0xca2e9442, 0xed131f5b, 0xc66b58c5, 0x303f6fea, 0x019148ae, 0xb602689c, 0xd8d131c7, 0x83d42444, 0x519e91f5, 0xcae77770, 0x0c7e8948],
  md5: [0xd98c1dd4, 0xb975c10c, 0x98500190, 0x94e7f925, 0x18dfda56, 0x97cddd66, 0xe6d2be4d, 0x04eb728a, 0xa2f1c948, 0x9d7d109e, 0x71d9312d, 0x3805d78b],
  crc16: [0x00000000, 0x00007c87, 0x7c749dd6, 0x869031c3, 0x6e3a3e08, 0x00e967c4, 0x21cf2ac5, 0x001e9277, 0x61288cf2, 0x22a3f0c8, 0x66f21798, 0x6f2b28cd],
  crc32: [0x00000000, 0x000068b7, 0x00003524, 0x00004bf4, 0x0000646f, 0x00000e04, 0x000047b7, 0x00003f45, 0x00004348, 0x0000414f, 0x00004e68, 0x000040c0],
  crc32a: [0x00000000, 0xe8b7be43, 0x352441c2, 0xcbf43926, 0x646f0d86, 0x0e048d3e, 0xc7b7cdcc, 0x3f456cad, 0xc348daba, 0x414fa339, 0xce68ad26, 0x40c06fd8],
  fnv1_64: [0x84222325, 0x8601b7be, 0x6bafadcb, 0x2bf916d6, 0xf2829cd0, 0xb4eb783d, 0x4ae92bc5, 0xb4eb71e0, 0x5977ece7, 0x7de37ace, 0x0d0f5624, 0xd308269f],
  fnv1a_64: [0x84222325, 0x8601ec8c, 0x0541574b, 0x23c6cdfc, 0xdcd221c2, 0xb4cc3001, 0xedb14491, 0xb4eeef6a, 0x74edadc7, 0xe7e47110, 0x0bd2b7f6, 0x399bd25f],
  fnv1_32: [0x811c9dc5, 0x050c5d7e, 0x439c2f4b, 0x24148816, 0xf7f67db0, 0x16769ffd, 0x0bac5045, 0x12769920, 0x5ca70347, 0xe9c86c6e, 0x54a63804, 0xc855515f],
  fnv1a_32: [0x811c9dc5, 0xe40c292c, 0x1a47e90b, 0xbb86b11c, 0x2f6b7b82, 0x3cfa68c1, 0xf8378251, 0x53793e4a, 0x3509df27, 0x048fff90, 0x8136b5b6, 0x375c979f],
  hsieh: [0x00000000, 0x93642e87, 0xe5186b3a, 0xe4fc1670, 0xae4b9fa9, 0xbeea177b, 0x7052445a, 0xbda11bf0, 0xb9f1a5f1, 0x1c19ee97, 0x9aefedfa, 0xacb9e8a1],
  murmur: [0x00000000, 0x4b41757c, 0x7b0cc428, 0xb7760690, 0x5f6eb68a, 0x7ddc1147, 0x985a9833, 0x68dd8edc, 0x53b00c17, 0x30c79125, 0xc23faf3e, 0x2b5186a9],
  jenkins: [0xdeadbefc, 0xe0a38690, 0x8f415600, 0x19777af6, 0xc4c6bc92, 0x37ac74de, 0x8dd5328c, 0xab66d0ff, 0x9b30311a, 0x12b8163c, 0x37f93ead, 0x8c370eaa],
};
const LIBMEMCACHED_MURMUR3 = [0x00000000, 0x8872dbc8, 0x25d3a89a, 0x36ae260f, 0x8d19b667, 0xb51fde2d, 0x973b9790, 0xe4229026, 0x68b71247, 0x9b2e7c8a, 0xb93aaef1, 0xc61d3fe1];
const MURMUR3_SEED0 = [0x00000000, 0x3c2569b2, 0xb3dd93fa, 0xb4fef382, 0xc7a6a375, 0x10110787, 0xc4d9f942, 0x6c4e220c, 0x3310d305, 0x2e4ff723, 0xf9f47291, 0x46f9b03b];

describe('twemproxy hashkit vectors', () => {
  it.each(Object.entries(REFERENCE))('%s matches the C reference on every input', (name, expected) => {
    expect(INPUTS.map((input) => hashKey(name as HashName, fromHex(input)))).toEqual(expected);
  });

  it('murmur3 (x86_32, seed 0) matches the reference, including the published "quick brown fox" value', () => {
    expect(INPUTS.map((input) => hashKey('murmur3', fromHex(input)))).toEqual(MURMUR3_SEED0);
    expect(hashKey('murmur3', 'The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('libhashkit murmur3 (memccp --hash=MURMUR3) is MurmurHash3_x86_32 seeded with 0xdeadbeef * length', () => {
    const seeded = INPUTS.map((input) => {
      const bytes = fromHex(input);
      return murmur3(bytes, 0, bytes.length, Math.imul(0xdeadbeef, bytes.length));
    });
    expect(seeded).toEqual(LIBMEMCACHED_MURMUR3);
  });

  it('publishes the FNV-1/FNV-1a 32-bit vectors for "foobar" (isthe.com FNV test suite)', () => {
    expect(hashKey('fnv1_32', 'foobar')).toBe(0x31f0b262);
    expect(hashKey('fnv1a_32', 'foobar')).toBe(0xbf9cf968);
  });

  it('lists every hash it implements', () => {
    expect([...hashNames].sort()).toEqual([...Object.keys(REFERENCE), 'murmur3'].sort());
  });
});

describe('string keys hash as their UTF-8 bytes', () => {
  it('for every hash and any string, including lone surrogates (encoded as U+FFFD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...hashNames), (text, name) => {
        expect(hashKey(name, text)).toBe(hashKey(name, new TextEncoder().encode(text)));
      }),
    );
  });

  it('murmur3String takes the char-code fast path for ASCII and falls back for the rest', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const bytes = new TextEncoder().encode(text);
        expect(murmur3String(text) >>> 0).toBe(murmur3(bytes, 0, bytes.length));
      }),
    );
  });
});
