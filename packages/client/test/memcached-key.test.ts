// The memcached key shape (memcached-key.ts) by hand, and every path that applies it (KeyRules,
// keyToken, the command buffer's one-pass copy, the multi-key first pass) agreeing with it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardedClient, type DumpedItem } from '../src/index.js';
import { KeyRules } from '../src/keyspace/key-rules.js';
import { isTextSafe, isTextSafeAscii, isTextSafeKey, MEMCACHED_MAX_KEY_BYTES } from '../src/keyspace/memcached-key.js';
import { CommandBuffer } from '../src/nodes/memcached/command-buffer.js';
import { keyToken, type KeyToken } from '../src/nodes/memcached/key-token.js';
import { memoryNode } from './support/memory-node.js';

/**
 * What the shape says a memcached node sends for `key`, worked out on its UTF-8 bytes (not its
 * UTF-16 units, as the code does): the key itself when every byte is text-safe, else its base64
 * text; undefined when that is empty or over the limit.
 */
function expectedToken(key: string): KeyToken | undefined {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length === 0) return undefined;
  if (bytes.every(isTextSafe)) return bytes.length <= MEMCACHED_MAX_KEY_BYTES ? { text: key, base64: false } : undefined;
  const encoded = bytes.toString('base64');
  return encoded.length <= MEMCACHED_MAX_KEY_BYTES ? { text: encoded, base64: true } : undefined;
}

/** Each path's answer for one key: the token keyToken returns, the bytes and flag the command buffer writes, the wire key of KeyRules. */
function paths(key: string, prefix = ''): { token: KeyToken | 'refused'; written: { bytes: Buffer; base64: boolean } | 'refused'; wire: string | 'refused' } {
  const refused = (run: () => unknown): 'refused' | undefined => {
    try {
      run();
      return undefined;
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_INVALID_KEY' });
      return 'refused';
    }
  };
  let token: KeyToken | undefined;
  const out = new CommandBuffer();
  out.ascii('mn\r\n');
  let base64 = false;
  let wire: string | undefined;
  const written = refused(() => (base64 = out.key(key)));
  // Refused or not, nothing but what was accepted is in the buffer.
  const bytes = Buffer.concat(out.take()).subarray('mn\r\n'.length);
  if (written !== undefined) expect(bytes).toHaveLength(0);
  return {
    token: refused(() => (token = keyToken(key))) ?? (token as KeyToken),
    written: written ?? { bytes, base64 },
    wire: refused(() => (wire = new KeyRules({ prefix }).route(key).wire)) ?? (wire as string),
  };
}

describe('the memcached key shape', () => {
  it.each([
    ['NUL', 0x00],
    ['tab', 0x09],
    ['LF', 0x0a],
    ['CR', 0x0d],
    ['US, the last C0 control', 0x1f],
    ['space', 0x20],
    ['DEL', 0x7f],
  ])('refuses %s', (_name, byte) => {
    expect(isTextSafe(byte)).toBe(false);
    expect(isTextSafeAscii(byte)).toBe(false);
    expect(isTextSafeKey(`a${String.fromCharCode(byte)}b`)).toBe(false);
  });

  it('takes every printable ASCII byte, "!" to "~", as one byte', () => {
    for (let byte = 0; byte < 0x80; byte++) {
      const printable = byte >= 0x21 && byte <= 0x7e;
      expect([byte, isTextSafe(byte), isTextSafeAscii(byte)]).toEqual([byte, printable, printable]);
    }
  });

  it('takes every byte and unit from 0x80 up (UTF-8 sends them as bytes from 0x80 up), not as one byte', () => {
    for (const unit of [0x80, 0x85, 0x9f, 0xa0, 0xff, 0x100, 0x2028, 0xd800, 0xdfff, 0xfeff, 0xffff]) {
      expect([unit, isTextSafe(unit), isTextSafeAscii(unit)]).toEqual([unit, true, false]);
    }
  });

  it('answers for a UTF-16 unit what it answers for the UTF-8 bytes the unit becomes', () => {
    for (let unit = 0; unit <= 0xffff; unit++) {
      const bytes = Buffer.from(String.fromCharCode(unit), 'utf8');
      if (bytes.every(isTextSafe) !== isTextSafe(unit)) expect(unit).toBe('answered differently');
    }
  });

  it('checks every unit of a key (an empty key has none: length is checked where bytes are sent)', () => {
    expect(['user:1', 'caf\u00e9', '\u{1f600}', '', '{user:1}~!'].map(isTextSafeKey)).toEqual([true, true, true, true, true]);
    expect(['a b', 'end\u007f', '\r\nflush_all', 'tab\t'].map(isTextSafeKey)).toEqual([false, false, false, false]);
  });
});

describe('the key paths at the limits', () => {
  const k = (count: number): string => 'k'.repeat(count);
  const plain = (key: string): ReturnType<typeof paths> => ({ token: { text: key, base64: false }, written: { bytes: Buffer.from(key), base64: false }, wire: key });
  const refused = { token: 'refused', written: 'refused', wire: 'refused' };

  it.each([
    ['250 ASCII bytes', k(250), true],
    ['251 ASCII bytes', k(251), false],
    // 249 units, 250 bytes: the command buffer's copy stops at the é and keyToken counts bytes.
    ['248 + a 2-byte é = 250 bytes', `${k(248)}\u00e9`, true],
    ['249 + a 2-byte é = 251 bytes in 250 units', `${k(249)}\u00e9`, false],
    ['247 + a 3-byte euro sign = 250 bytes', `${k(247)}\u20ac`, true],
    ['248 + a 3-byte euro sign = 251 bytes', `${k(248)}\u20ac`, false],
    ['246 + a 4-byte emoji (2 units) = 250 bytes', `${k(246)}\u{1f600}`, true],
    ['247 + a 4-byte emoji (2 units) = 251 bytes', `${k(247)}\u{1f600}`, false],
    ['the empty key', '', false],
  ])('%s: all or none take it', (_name, key, taken) => {
    expect(paths(key)).toEqual(taken ? plain(key) : refused);
  });

  it('counts a prefix against the limit in KeyRules', () => {
    expect(paths(k(248), 'p:').wire).toBe(`p:${k(248)}`);
    expect(paths(k(249), 'p:').wire).toBe('refused');
  });

  it.each([
    ['a space', 'a b', 'YSBi'],
    ['CR LF', 'a\r\nflush_all', Buffer.from('a\r\nflush_all').toString('base64')],
    ['DEL', '\u007f', 'fw=='],
    // 186 bytes are 248 base64 characters; 187 would be 252.
    ['186 unsafe bytes', ' '.repeat(186), Buffer.from(' '.repeat(186)).toString('base64')],
  ])('switches a key with %s to base64 on a node, and KeyRules refuses it', (_name, key, encoded) => {
    expect(paths(key)).toEqual({ token: { text: encoded, base64: true }, written: { bytes: Buffer.from(encoded), base64: true }, wire: 'refused' });
  });

  it('refuses a key over the limit once base64-encoded, though its bytes would fit', () => {
    expect(paths(' '.repeat(187))).toEqual(refused);
    expect(paths(`${k(186)}\t`)).toEqual(refused);
  });

  it('KeyRules with digests sends an unsafe or long key as a text-safe digest', () => {
    for (const key of [' '.repeat(187), 'a b', k(251)]) {
      const { wire } = new KeyRules({ unsafeKeys: 'digest' }).route(key);
      expect(paths(wire)).toEqual(plain(wire));
    }
  });

});

describe('the multi-key first pass', () => {
  it('throws for the first key that is empty or does not start text-safe, before routing the others', async () => {
    const client = new ShardedClient({ backend: 'memcached', nodes: ['10.0.0.1:11211'], nodeFactory: (address) => memoryNode(address.id, new Map<string, DumpedItem>()) });
    try {
      // 'a b' is refused too, but its first character is text-safe: the first pass leaves it to the routing loop.
      await expect(client.getMany(['ok', 'a b', '\u007fdel'])).rejects.toMatchObject({ code: 'ERR_INVALID_KEY', message: expect.stringContaining('\u007fdel') });
      await expect(client.getMany(['ok', 'a b', ''])).rejects.toMatchObject({ code: 'ERR_INVALID_KEY', message: expect.stringContaining('empty') });
      await expect(client.getMany(['ok', 'a b', 'c\u007f'])).rejects.toMatchObject({ code: 'ERR_INVALID_KEY', message: expect.stringContaining('"a b"') });
    } finally {
      await client.destroy();
    }
  });
});

describe('every key path agrees with the shape on random keys', () => {
  // Units from every class the shape tells apart, so refused and multi-byte units are common.
  const unit = fc.oneof(
    { arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), weight: 6 },
    { arbitrary: fc.constantFrom('\u0000', '\t', '\n', '\r', '\u001f', ' ', '\u007f'), weight: 1 },
    { arbitrary: fc.constantFrom('\u0080', '\u00e9', '\u20ac', '\u{1f600}', '\ud800', '\udfff'), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
  );
  const short = fc.array(unit, { maxLength: 30 }).map((units) => units.join(''));
  // Around both limits: 250 bytes as they are, 186 bytes before base64.
  const long = fc
    .tuple(fc.constantFrom(183, 184, 185, 186, 187, 245, 246, 247, 248, 249, 250), short, fc.array(unit, { maxLength: 4 }))
    .map(([count, head, tail]) => `${head.slice(0, 3)}${'k'.repeat(count)}${tail.join('')}`);
  const key = fc.oneof(short, long);

  it('keyToken and the command buffer send what the shape says, and KeyRules takes exactly the keys sent as they are', () => {
    fc.assert(
      fc.property(key, fc.constantFrom('', 'app:', 'p\u00e9:'), (key, prefix) => {
        const expected = expectedToken(key);
        const answers = paths(key, prefix);
        expect(answers.token).toEqual(expected ?? 'refused');
        expect(answers.written).toEqual(expected === undefined ? 'refused' : { bytes: Buffer.from(expected.text, 'utf8'), base64: expected.base64 });
        const fits = expectedToken(prefix + key);
        const rulesTake = expected !== undefined && !expected.base64 && fits !== undefined && !fits.base64;
        expect(answers.wire).toEqual(rulesTake ? prefix + key : 'refused');
      }),
      { numRuns: 1000 },
    );
  });
});
