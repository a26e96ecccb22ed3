// The meta node's write buffer: keys as memcached reads them, and exactly the bytes written.
import { describe, expect, it } from 'vitest';
import { CommandBuffer } from '../src/nodes/memcached/command-buffer.js';
import { writeMetaGet, writeMetaSetHeader } from '../src/nodes/memcached/meta-protocol.js';

const text = (out: CommandBuffer): string => Buffer.concat(out.take()).toString('utf8');

describe('CommandBuffer', () => {
  it('writes printable keys as they are, others base64 with the b flag, UTF-8 raw', () => {
    const out = new CommandBuffer();
    writeMetaGet(out, 'user:1', 7, false, false);
    writeMetaGet(out, 'a b', 8, true, true);
    writeMetaGet(out, 'caf\u00e9', 9, false, true);
    writeMetaSetHeader(out, 'a\tb', 5, 0x53430001, 60, 'E', 10);
    expect(text(out)).toBe(
      ['mg user:1 O7 f v', `mg ${Buffer.from('a b').toString('base64')} b O8 f v c q`, 'mg caf\u00e9 O9 f v q', `ms ${Buffer.from('a\tb').toString('base64')} 5 b O10 F1396899841 T60 ME`, ''].join('\r\n'),
    );
  });

  it.each([
    ['empty', ''],
    ['251 bytes', 'k'.repeat(251)],
    ['over 250 once base64-encoded', ' '.repeat(190)],
    ['over 250 bytes in UTF-8', '\u00e9'.repeat(126)],
  ])('refuses a key that is %s, writing nothing', (_name, key) => {
    const out = new CommandBuffer();
    out.ascii('mn\r\n');
    const mark = out.length;
    expect(() => writeMetaGet(out, key, 1, false, false)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }));
    out.truncate(mark);
    expect(text(out)).toBe('mn\r\n');
  });

  it('takes a 250-byte key, and writes decimals of every size', () => {
    const out = new CommandBuffer();
    out.key('k'.repeat(250));
    for (const value of [0, 9, 10, 4294967295]) {
      out.ascii(' ');
      out.decimal(value);
    }
    expect(text(out)).toBe(`${'k'.repeat(250)} 0 9 10 4294967295`);
  });

  it('grows past its first buffer and keeps large values as their own chunk, in order', () => {
    const out = new CommandBuffer();
    const small = Buffer.alloc(100, 0x61);
    const large = Buffer.alloc(40 * 1024, 0x62);
    out.ascii('x'.repeat(20_000));
    out.bytes(small);
    out.bytes(large);
    out.utf8('\u00e9');
    const chunks = out.take();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(large);
    expect(Buffer.concat(chunks).equals(Buffer.concat([Buffer.from('x'.repeat(20_000)), small, large, Buffer.from('\u00e9')]))).toBe(true);
    expect(out.take()).toEqual([]);
  });

  it('hands out copies: writing more does not change what was taken', () => {
    const out = new CommandBuffer();
    out.ascii('first');
    const [taken] = out.take();
    out.ascii('SECOND');
    expect(taken?.toString()).toBe('first');
    out.clear();
    expect(out.take()).toEqual([]);
  });
});
