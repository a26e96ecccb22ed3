import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EncodedValue, StoredItem } from '../src/nodes/cache-node.js';
import { ValueCodec, VALUE_FLAGS } from '../src/values/value-codec.js';

/** What a node would read back after storing an encoded value. */
const stored = ({ value, flags }: EncodedValue): StoredItem => ({ value: Buffer.from(value), flags });
import { defaultTtlOption, normalizeTtl } from '../src/values/ttl.js';

describe('ValueCodec', () => {
  const codec = new ValueCodec();

  it.each([
    ['our raw bytes', VALUE_FLAGS.RAW_TAGGED],
    ["another client's bytes", 0],
  ])('hands out %s as a copy, never as a view of the bytes it was given', (_name, flags) => {
    const chunk = Buffer.from('....value....');
    const item: StoredItem = { value: chunk.subarray(4, 9), flags };
    const decoded = codec.decode('k', item) as Buffer;
    expect(decoded).toEqual(Buffer.from('value'));
    chunk.fill(0x2e);
    expect(decoded).toEqual(Buffer.from('value'));
  });

  it.each([
    ['a Buffer', Buffer.from([0, 1, 2, 255]), VALUE_FLAGS.RAW],
    ['a string', 'héllo', VALUE_FLAGS.UTF8],
    ['an object', { id: 1, tags: ['a'] }, VALUE_FLAGS.SERIALIZED],
    ['a number', 42, VALUE_FLAGS.SERIALIZED],
    ['null', null, VALUE_FLAGS.SERIALIZED],
  ])('round-trips %s with its format flag', async (_name, value, flags) => {
    const item = await codec.encode(value);
    expect(item.flags).toBe(flags);
    expect(await codec.decode('k', stored(item))).toEqual(value);
  });

  it('compresses values at or above the threshold, only when that saves bytes', async () => {
    const small = new ValueCodec({ compressAbove: 100 });
    const text = 'abc'.repeat(100);
    const item = await small.encode(text);
    expect(item.flags).toBe(VALUE_FLAGS.UTF8 | VALUE_FLAGS.COMPRESSED);
    expect(item.value).toEqual(deflateRawSync(Buffer.from(text)));
    expect(await small.decode('k', stored(item))).toBe(text);
    const random = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 7919) % 251));
    expect((await small.encode(random)).flags & VALUE_FLAGS.COMPRESSED).toBe(0);
    // Compressed bytes are tagged, so they never look like another client's plain bytes.
    const bytes = Buffer.from('z'.repeat(300));
    const compressedBytes = await small.encode(bytes);
    expect(compressedBytes.flags).toBe(VALUE_FLAGS.RAW_TAGGED | VALUE_FLAGS.COMPRESSED);
    expect(await small.decode('k', stored(compressedBytes))).toEqual(bytes);
    expect((await new ValueCodec({ compressAbove: false }).encode(text)).flags).toBe(VALUE_FLAGS.UTF8);
  });

  it('returns bytes with foreign flags untouched (another client wrote them)', async () => {
    // Small native flags are other clients' formats (pylibmc: 1 pickle, 2 int, 8 zlib).
    for (const flags of [1, 2, 8, 0x10 << 8]) expect(await codec.decode('k', { value: Buffer.from('theirs'), flags })).toEqual(Buffer.from('theirs'));
    const foreign = { value: Buffer.from('pickled'), flags: 0x10 << 8 };
    expect(await codec.decode('k', foreign)).toEqual(Buffer.from('pickled'));
    expect(await codec.decode('k', { value: Buffer.from('x'), flags: 99 })).toEqual(Buffer.from('x'));
  });

  it('uses a custom serializer', async () => {
    const custom = new ValueCodec({ serializer: { serialize: (v) => `<${String(v)}>`, deserialize: (b) => b.toString().slice(1, -1) } });
    expect(await custom.decode('k', stored(await custom.encode(7)))).toBe('7');
  });

  it('turns corrupt bytes into ERR_DECODE naming the key', async () => {
    expect(() => codec.decode('user:1', { value: Buffer.from('{not json'), flags: VALUE_FLAGS.SERIALIZED })).toThrow(
      expect.objectContaining({ code: 'ERR_DECODE', message: expect.stringContaining('"user:1"') }),
    );
    await expect(Promise.resolve(codec.decode('user:2', { value: Buffer.from('not deflate'), flags: VALUE_FLAGS.UTF8 | VALUE_FLAGS.COMPRESSED }))).rejects.toMatchObject({
      code: 'ERR_DECODE',
    });
  });

  it.each([[{ compressAbove: -1 }, 'compressAbove'], [{ serializer: {} }, 'serializer']])('rejects %j naming the option', (options, option) => {
    expect(() => new ValueCodec(options as ConstructorParameters<typeof ValueCodec>[0])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }));
  });
});

describe('TTL', () => {
  it('accepts whole seconds and an explicit never', () => {
    expect(normalizeTtl(1)).toBe(1);
    expect(normalizeTtl(40 * 24 * 3600)).toBe(40 * 24 * 3600);
    expect(normalizeTtl('never')).toBeNull();
  });

  it.each([0, -1, 1.5, NaN, Infinity, '60', null, undefined, 2 ** 53])('rejects %j with ERR_INVALID_TTL', (ttl) => {
    expect(() => normalizeTtl(ttl)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TTL' }));
  });

  it('defaults the client-wide TTL to an hour and validates it as an option', () => {
    expect(defaultTtlOption(undefined)).toBe(3600);
    expect(defaultTtlOption('never')).toBeNull();
    expect(() => defaultTtlOption(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'defaultTtl' }));
  });
});
