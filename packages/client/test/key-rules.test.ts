import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRules } from '../src/keyspace/key-rules.js';

describe('KeyRules', () => {
  it('passes plain keys through unchanged', () => {
    expect(new KeyRules().route('user:1')).toEqual({ wire: 'user:1', placement: 'user:1' });
  });

  it('prefixes the wire key but, like libmemcached, not the placement key', () => {
    expect(new KeyRules({ prefix: 'app:' }).route('user:1')).toEqual({ wire: 'app:user:1', placement: 'user:1' });
    expect(new KeyRules({ prefix: 'app:', prefixInPlacement: true }).route('user:1')).toEqual({ wire: 'app:user:1', placement: 'app:user:1' });
  });

  it.each([
    ['{user:1}:profile', 'user:1'],
    ['a{b}c{d}', 'b'],
    ['{}abc', '{}abc'],
    ['no{close', 'no{close'],
    ['}{x}', 'x'],
    ['plain', 'plain'],
  ])('hashes only the tagged part of %j (twemproxy hash_tag "{}")', (key, placement) => {
    expect(new KeyRules({ hashTag: '{}' }).route(key)).toEqual({ wire: key, placement });
  });

  it.each([
    ['with space', /whitespace or a control character/],
    ['line\r\nflush_all', /whitespace or a control character/],
    ['tab\there', /whitespace or a control character/],
    ['del\u007f', /whitespace or a control character/],
    ['k'.repeat(251), /251 bytes with the prefix, over memcached's 250/],
    ['é'.repeat(126), /252 bytes/],
  ])('rejects %j before anything is sent', (key, message) => {
    expect(() => new KeyRules().route(key)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY', message: expect.stringMatching(message) }));
  });

  it('counts the prefix against the 250-byte limit', () => {
    expect(() => new KeyRules({ prefix: 'p:' }).route('k'.repeat(249))).toThrow(/251 bytes/);
    expect(new KeyRules({ prefix: 'p:' }).route('k'.repeat(248)).wire).toHaveLength(250);
  });

  it('replaces unsafe keys by a stable digest when asked to', () => {
    const rules = new KeyRules({ prefix: 'app:', unsafeKeys: 'digest' });
    const routed = rules.route('line\r\nflush_all');
    expect(routed.wire).toBe(`app:sha1:${createHash('sha1').update('line\r\nflush_all').digest('hex')}`);
    expect(rules.route('line\r\nflush_all')).toEqual(routed);
    expect(rules.route('another bad key').wire).not.toBe(routed.wire);
  });

  it('allows any non-empty key when memcached rules are off (redis)', () => {
    expect(new KeyRules({ memcachedRules: false }).route('with space\r\n')).toEqual({ wire: 'with space\r\n', placement: 'with space\r\n' });
  });

  it.each([null, undefined, 42, ''])('rejects %j as a key', (key) => {
    expect(() => new KeyRules().route(key)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }));
  });

  it.each([
    [{ hashTag: '{' }, 'hashTag'],
    [{ unsafeKeys: 'drop' }, 'unsafeKeys'],
    [{ prefix: 'a b' }, 'prefix'],
  ])('rejects options %j naming the option', (options, option) => {
    expect(() => new KeyRules(options as ConstructorParameters<typeof KeyRules>[0])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }));
  });
});
