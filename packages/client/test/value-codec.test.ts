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
    const item = await codec.encode('k', value);
    expect(item.flags).toBe(flags);
    expect(await codec.decode('k', stored(item))).toEqual(value);
  });

  it('compresses values at or above the threshold, only when that saves bytes', async () => {
    const small = new ValueCodec({ compressAbove: 100 });
    const text = 'abc'.repeat(100);
    const item = await small.encode('k', text);
    expect(item.flags).toBe(VALUE_FLAGS.UTF8 | VALUE_FLAGS.COMPRESSED);
    expect(item.value).toEqual(deflateRawSync(Buffer.from(text)));
    expect(await small.decode('k', stored(item))).toBe(text);
    const random = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 7919) % 251));
    expect((await small.encode('k', random)).flags & VALUE_FLAGS.COMPRESSED).toBe(0);
    // Compressed bytes are tagged, so they never look like another client's plain bytes.
    const bytes = Buffer.from('z'.repeat(300));
    const compressedBytes = await small.encode('k', bytes);
    expect(compressedBytes.flags).toBe(VALUE_FLAGS.RAW_TAGGED | VALUE_FLAGS.COMPRESSED);
    expect(await small.decode('k', stored(compressedBytes))).toEqual(bytes);
    expect((await new ValueCodec({ compressAbove: false }).encode('k', text)).flags).toBe(VALUE_FLAGS.UTF8);
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
    expect(await custom.decode('k', stored(await custom.encode('k', 7)))).toBe('7');
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

describe('ValueCodec, as: buffer', () => {
  it('hands every format over as its bytes, inflated, never decoded', async () => {
    const codec = new ValueCodec({ compressAbove: 100 });
    const cases: [unknown, Buffer][] = [
      ['héllo', Buffer.from('héllo')],
      [{ a: 1 }, Buffer.from('{"a":1}')],
      [Buffer.from([0, 255]), Buffer.from([0, 255])],
      ['abc'.repeat(100), Buffer.from('abc'.repeat(100))],
    ];
    for (const [value, bytes] of cases) {
      const item = stored(await codec.encode('k', value));
      expect(await codec.decode('k', item, true)).toEqual(bytes);
      expect(await codec.read('k', item.flags, Buffer.concat([Buffer.from('..'), item.value]), 2, 2 + item.value.length, true)).toEqual(bytes);
    }
    // The control: without it, the same items decode to what was written.
    expect(await codec.decode('k', stored(await codec.encode('k', { a: 1 })))).toEqual({ a: 1 });
  });
});

describe("ValueCodec, values: 'plain'", () => {
  const plain = new ValueCodec({ values: 'plain' });

  it.each([
    ['a string, as bare UTF-8', 'héllo', Buffer.from('héllo')],
    ['a Buffer, as itself', Buffer.from([0, 1, 255]), Buffer.from([0, 1, 255])],
    ['a Uint8Array, as its bytes', new Uint8Array([7, 8]), Buffer.from([7, 8])],
    ['an integer, as decimal text', 42, Buffer.from('42')],
    ['a negative integer', -7, Buffer.from('-7')],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER, Buffer.from('9007199254740991')],
    ['a bigint, as decimal text', 2n ** 64n - 1n, Buffer.from('18446744073709551615')],
  ])('writes %s with flags 0', (_name, value, bytes) => {
    const item = plain.encode('k', value);
    expect(item).not.toBeInstanceOf(Promise);
    expect((item as EncodedValue).flags).toBe(0);
    expect(Buffer.from((item as EncodedValue).value)).toEqual(bytes);
  });

  it('never compresses, however large the value', () => {
    const item = plain.encode('k', 'x'.repeat(100_000)) as EncodedValue;
    expect([item.flags, item.value]).toEqual([0, 'x'.repeat(100_000)]);
  });

  it.each([
    ['an object', { a: 1 }, 'an object (Object)'],
    ['an array', [1], 'an object (Array)'],
    ['a Date', new Date(0), 'an object (Date)'],
    ['a fraction', 1.5, 'a number that is not an integer'],
    ['NaN', NaN, 'a number that is not an integer'],
    ['an integer past 2^53', 2 ** 60, 'a number beyond Number.MAX_SAFE_INTEGER (pass a bigint)'],
    ['a boolean', true, 'a boolean'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an object without a prototype', Object.create(null) as unknown, 'an object'],
  ])('refuses %s with ERR_INVALID_VALUE naming the key and the type, never the value', (_name, value, type) => {
    const error = catchError(() => plain.encode('user:1', value));
    expect(error).toMatchObject({ code: 'ERR_INVALID_VALUE', name: 'InvalidValueError', key: 'user:1', type });
    expect((error as Error).message).toContain('"user:1"');
    expect((error as Error).message).toContain(type);
  });

  it("writes other types through the caller's serializer, headerless with flags 0", () => {
    const codec = new ValueCodec({ values: 'plain', serializer: { serialize: (value) => `<${JSON.stringify(value)}>`, deserialize: () => 'unused' } });
    expect(codec.encode('k', { a: 1 })).toEqual({ value: '<{"a":1}>', flags: 0 });
    // Strings, bytes and integers never reach it.
    expect(codec.encode('k', 5)).toEqual({ value: '5', flags: 0 });
    const bytes = new ValueCodec({ values: 'plain', serializer: { serialize: () => new Uint8Array([1, 2]), deserialize: () => 'unused' } as never });
    expect(Buffer.from((bytes.encode('k', { a: 1 }) as EncodedValue).value)).toEqual(Buffer.from([1, 2]));
  });

  it('turns a serializer that throws or returns no bytes into ERR_INVALID_VALUE', () => {
    const cause = new Error('cycle');
    const throwing = new ValueCodec({ values: 'plain', serializer: { serialize: () => { throw cause; }, deserialize: () => undefined } });
    expect(catchError(() => throwing.encode('k', {}))).toMatchObject({ code: 'ERR_INVALID_VALUE', key: 'k', cause });
    const wrong = new ValueCodec({ values: 'plain', serializer: { serialize: () => 42 as never, deserialize: () => undefined } });
    expect(catchError(() => wrong.encode('k', {}))).toMatchObject({ code: 'ERR_INVALID_VALUE', message: expect.stringContaining('the serializer returned a number') as unknown });
  });

  it("reads bytes without our tag as text, whatever other client's flags they carry", () => {
    const chunk = Buffer.from('..héllo..');
    for (const flags of [0, 1, 2, 16, 0x10 << 8]) {
      expect(plain.decode('k', { value: chunk.subarray(2, 8), flags })).toBe('héllo');
      expect(plain.read('k', flags, chunk, 2, 8)).toBe('héllo');
    }
    // The control: typed mode reads the same items as bytes.
    expect(new ValueCodec().decode('k', { value: Buffer.from('héllo'), flags: 0 })).toEqual(Buffer.from('héllo'));
  });

  it('reads them as a copy of their bytes when the call asks for a buffer', () => {
    const chunk = Buffer.from('..\xff\x00..', 'latin1');
    const decoded = plain.decode('k', { value: chunk.subarray(2, 4), flags: 0 }, true);
    const read = plain.read('k', 0, chunk, 2, 4, true);
    chunk.fill(0x2e);
    expect([decoded, read]).toEqual([Buffer.from([0xff, 0]), Buffer.from([0xff, 0])]);
  });

  it('still decodes what a typed client wrote, compressed or not', async () => {
    const typed = new ValueCodec({ compressAbove: 100 });
    for (const value of ['héllo', { a: [1] }, 42, 'abc'.repeat(100), Buffer.from('z'.repeat(300))]) {
      expect(await plain.decode('k', stored(await typed.encode('k', value)))).toEqual(value);
    }
  });

  it.each([
    [{ values: 'text' }, 'values'],
    [{ values: 'plain', compressAbove: 1024 }, 'compressAbove'],
    [{ values: 'plain', compressAbove: 0 }, 'compressAbove'],
  ])('refuses %j naming the option', (options, option) => {
    expect(() => new ValueCodec(options as ConstructorParameters<typeof ValueCodec>[0])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }));
  });

  it('accepts compression turned off, which is what plain mode does', () => {
    expect((new ValueCodec({ values: 'plain', compressAbove: false }).encode('k', 'x'.repeat(100_000)) as EncodedValue).flags).toBe(0);
    expect((new ValueCodec({ values: 'typed', compressAbove: 10 }).encode('k', 'x') as EncodedValue).flags).toBe(VALUE_FLAGS.UTF8);
  });
});

function catchError(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

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
