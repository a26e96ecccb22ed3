import { describe, expect, it } from 'vitest';
import type { Payload } from '../src/nodes/cache-node.js';
import { readHeader, withHeader } from '../src/nodes/value-header.js';
import { VALUE_FLAGS } from '../src/values/value-codec.js';

/** What redis hands back for a stored payload. */
const bytes = (payload: Payload): Buffer => (typeof payload === 'string' ? Buffer.from(payload, 'latin1') : Buffer.from(payload));
const MAGIC = Buffer.from([0, 0x1b, 0x53, 0x43]);

describe('value header (flags stored in band)', () => {
  it.each([
    ['raw bytes', Buffer.from([1, 2, 3]), 0],
    ['a UTF-8 string', 'hello', VALUE_FLAGS.UTF8],
    ['serialized bytes', Buffer.from('{"a":1}'), VALUE_FLAGS.SERIALIZED],
    ['compressed raw bytes', Buffer.from([9, 9]), VALUE_FLAGS.RAW_TAGGED | VALUE_FLAGS.COMPRESSED],
    ['the largest flags', Buffer.from('x'), 0xffff_ffff],
  ])('round-trips %s with its flags', (_name, value, flags) => {
    const item = readHeader(bytes(withHeader(value, flags)));
    expect(item.flags).toBe(flags);
    expect(item.value).toEqual(bytes(value));
  });

  it('writes the same header for the same flags every time', () => {
    expect(withHeader('a', VALUE_FLAGS.UTF8)).toBe(withHeader('a', VALUE_FLAGS.UTF8));
    expect(withHeader('a', VALUE_FLAGS.UTF8)).toBe('\u0000\u001bSC53430001a');
  });

  it('stores raw values as given, and gives a header to raw values that look like one', () => {
    expect(withHeader('plain', 0)).toBe('plain');
    const lookalike = Buffer.concat([MAGIC, Buffer.from('00000000tail')]);
    const item = readHeader(bytes(withHeader(lookalike, 0)));
    expect(item).toEqual({ value: lookalike, flags: 0 });
  });

  it.each([
    ['a non-hex digit', '0000000g'],
    ['a sign', '+0000001'],
    ['a space', ' 0000001'],
  ])('hands bytes whose header has %s over untouched, as raw bytes', (_name, digits) => {
    const stored = Buffer.concat([MAGIC, Buffer.from(`${digits}value`)]);
    expect(readHeader(stored)).toEqual({ value: stored, flags: 0 });
  });

  it('reads values other clients wrote (no header) as raw bytes', () => {
    const stored = Buffer.from('written by redis-cli');
    expect(readHeader(stored)).toEqual({ value: stored, flags: 0 });
    const short = Buffer.from([0, 0x1b, 0x53]);
    expect(readHeader(short)).toEqual({ value: short, flags: 0 });
  });
});
