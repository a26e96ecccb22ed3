// The meta-protocol node against replies no real server sends: a scripted in-process fake
// (protocol edge cases only) and the reply parser on its own, at every chunk boundary.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemcachedNode, type MemcachedNode } from '../src/nodes/memcached-node.js';
import { keyToken } from '../src/nodes/memcached/key-token.js';
import { ReplyParser, type Reply } from '../src/nodes/memcached/reply-parser.js';
import { honestReplies, startFakeMemcached, type FakeMemcached, type FakeRequest } from './support/fake-memcached.js';

describe('ReplyParser', () => {
  const stream = Buffer.from('VA 5 O7 f1396899841 c42\r\nhe\r\no\r\nEN O8\r\nHD O9\r\nSTAT pid 12\r\nEND\r\nMN\r\nVALUE user:1 5 3 77\r\nab\n\r\nEND\r\nSERVER_ERROR out of memory\r\n');

  type Parsed = Pick<Reply, 'code' | 'opaque' | 'flags' | 'cas' | 'ttl' | 'value' | 'text'>;
  const parseAll = (chunks: Buffer[]): Parsed[] => {
    const replies: Parsed[] = [];
    // The parser reuses one reply object: keep copies of what it says.
    const parser = new ReplyParser(({ code, opaque, flags, cas, ttl, value, text }) => replies.push({ code, opaque, flags, cas, ttl, value, text }), 1024);
    for (const chunk of chunks) parser.push(chunk);
    return replies;
  };

  it('reads meta and text replies, whatever the chunking', () => {
    const whole = parseAll([stream]);
    expect(whole.map((reply) => reply.code)).toEqual(['VA', 'EN', 'HD', 'STAT', 'END', 'MN', 'VALUE', 'END', 'SERVER_ERROR']);
    expect(whole[6]).toMatchObject({ flags: 5, cas: '77', value: Buffer.from('ab\n') });
    expect(whole[0]).toMatchObject({ opaque: 7, flags: 0x53430001, cas: '42', value: Buffer.from('he\r\no') });
    expect(whole[3]?.text).toBe('pid 12');
    // Every split point, and one byte at a time: the same replies.
    for (let cut = 1; cut < stream.length; cut++) expect(parseAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    expect(parseAll([...stream].map((byte) => Buffer.from([byte])))).toEqual(whole);
  });

  it.each([
    ['an unknown reply', 'HELLO\r\n'],
    ['a bare LF', 'HD O1\n'],
    ['a value without its CRLF', 'VA 2 O1\r\nhiXX'],
    ['a size over the limit', 'VA 4096 O1\r\n'],
    ['a non-numeric size', 'VA x O1\r\n'],
    ['a bad flag', 'HD O1 %x\r\n'],
    ['a non-numeric opaque', 'HD Oabc\r\n'],
    ['flags over 32 bits', 'VA 1 O1 f4294967296\r\nx\r\n'],
    ['random bytes', Buffer.from([0x91, 0x00, 0xff, 0x13, 0x0d, 0x0a])],
    ['a VALUE without flags and size', 'VALUE k\r\n'],
    ['a VALUE with an empty key', 'VALUE  0 1\r\nx\r\n'],
    ['a VALUE with non-numeric flags', 'VALUE k x 1\r\nx\r\n'],
    ['a VALUE without a size', 'VALUE k 0\r\n'],
    ['a VALUE with a bad CAS', 'VALUE k 0 1 12a\r\nx\r\n'],
    ['a VALUE whose data overruns its size', 'VALUE k 0 1\r\nxy\r\n'],
  ])('throws on %s', (_name, bytes) => {
    expect(() => parseAll([Buffer.from(bytes)])).toThrow(/protocol error/);
  });

  it('throws on a line that never ends instead of buffering forever', () => {
    expect(() => parseAll([Buffer.alloc(9000, 0x41)])).toThrow(/no line end/);
  });
});

describe('keyToken', () => {
  it('sends plain keys as they are and base64-encodes the ones text cannot carry', () => {
    expect(keyToken('user:1')).toEqual({ text: 'user:1', base64: false });
    expect(keyToken('a b')).toEqual({ text: Buffer.from('a b').toString('base64'), base64: true });
    expect(keyToken('caf\u00e9')).toEqual({ text: 'caf\u00e9', base64: false });
  });

  it('rejects empty and over-long keys before anything is sent', () => {
    expect(() => keyToken('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }));
    expect(() => keyToken('k'.repeat(251))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }));
    expect(() => keyToken(' '.repeat(190))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }));
  });
});

describe('meta node against a scripted server', () => {
  let fake: FakeMemcached | undefined;
  let node: MemcachedNode | undefined;
  afterEach(async () => {
    await node?.destroy();
    await fake?.close();
  });

  const open = async (store: Map<string, string>): Promise<{ fake: FakeMemcached; node: MemcachedNode }> => {
    fake = await startFakeMemcached(honestReplies(store));
    node = createMemcachedNode({ id: 'fake', host: '127.0.0.1', port: fake.port, reconnectDelayMs: 1, maxReconnectDelayMs: 1 });
    return { fake, node };
  };

  it('fails replies that come back out of order, never swapping values, then reconnects', async () => {
    const store = new Map([['a', 'value of a'], ['b', 'value of b']]);
    const { fake, node } = await open(store);
    const honest = honestReplies(store);
    // The first connection answers a pipelined batch backwards.
    fake.script = (requests, socket, connection) => honest(connection === 1 ? [...requests].reverse() : requests, socket, connection);
    const results = await Promise.allSettled([node.get('a'), node.get('b')]);
    expect(results.map((result) => (result.status === 'rejected' ? (result.reason as { code?: string }).code : 'value'))).toEqual(['ERR_CONNECTION', 'ERR_CONNECTION']);
    await expect.poll(() => node.get('a').then((item) => item?.value.toString(), () => 'error'), { timeout: 5000 }).toBe('value of a');
    expect(fake.connections()).toBe(2);
    expect((await node.get('b'))?.value.toString()).toBe('value of b');
  });

  it.each([
    ['out of order', 'VALUE b 0 1\r\n2\r\nVALUE a 0 1\r\n1\r\nEND\r\n'],
    ['for a key not asked for', 'VALUE a 0 1\r\n1\r\nVALUE c 0 1\r\n3\r\nEND\r\n'],
    ['for a key that only starts like one asked for', 'VALUE a 0 1\r\n1\r\nVALUE bb 0 1\r\n2\r\nEND\r\n'],
    ['twice for one key', 'VALUE a 0 1\r\n1\r\nVALUE a 0 1\r\n1\r\nEND\r\n'],
    ['with another reply before END', 'VALUE a 0 1\r\n1\r\nHD O1\r\n'],
    ['as meta replies', 'VA 1 O0\r\n1\r\nEND\r\n'],
  ])('fails a text multi-get whose VALUEs come %s, never swapping values', async (_name, answer) => {
    const { fake, node } = await open(new Map([['a', '1'], ['b', '2']]));
    fake.script = (requests, socket) => {
      for (const request of requests) socket.write(request.words[0] === 'get' ? answer : 'MN\r\n');
    };
    await expect(node.getMany(['a', 'b'])).rejects.toMatchObject({ code: 'ERR_CONNECTION', node: 'fake' });
  });

  it('takes END as the end of a text multi-get: a VALUE after it drops the connection, and fills nothing', async () => {
    const { fake, node } = await open(new Map([['a', '1'], ['b', '2']]));
    const honest = fake.script;
    fake.script = (requests, socket, connection) => (connection === 1 ? socket.write('END\r\nVALUE a 0 1\r\n1\r\n') : honest(requests, socket, connection));
    expect(await node.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    await expect.poll(() => node.getMany(['a', 'b']).then((items) => items.map((item) => item?.value.toString()), () => 'error'), { timeout: 5000 }).toEqual(['1', '2']);
    expect(fake.connections()).toBe(2);
  });

  it('reads a text multi-get with misses, a key asked twice, and a split value', async () => {
    const { fake, node } = await open(new Map([['a', '1'], ['c', 'x'.repeat(300)]]));
    const honest = fake.script;
    // The reply arrives one byte at a time.
    fake.script = (requests, socket, connection) => {
      const bytes: Buffer[] = [];
      honest(requests, { write: (chunk: string) => bytes.push(Buffer.from(chunk)) } as unknown as Socket, connection);
      for (const byte of Buffer.concat(bytes)) socket.write(Buffer.from([byte]));
    };
    const items = await node.getMany(['a', 'b', 'c', 'a']);
    expect(items.map((item) => item?.value.toString())).toEqual(['1', undefined, 'x'.repeat(300), '1']);
  });

  it('fails a multi-get whose reader throws, keeping the connection for the next calls', async () => {
    const { fake, node } = await open(new Map([['a', '1'], ['b', '2']]));
    const refused = new Error('unreadable');
    const read = node.readMany?.(['a', 'b'], (index, _flags, bytes, start, end) => {
      if (index === 0) throw refused;
      return bytes.toString('utf8', start, end);
    });
    await expect(read).rejects.toBe(refused);
    expect(await node.readMany?.(['a', 'b'], (_index, _flags, bytes, start, end) => bytes.toString('utf8', start, end))).toEqual(['1', '2']);
    expect(fake.connections()).toBe(1);
  });

  it('sends keys the text protocol cannot carry as quiet mg, and fails those tokens out of order', async () => {
    const store = new Map([['a b', '1'], ['c', '2']]);
    const { fake, node } = await open(store);
    const honest = fake.script;
    const sent: string[] = [];
    // The fake reads base64 keys back (the b flag), so the honest answers find them.
    const decoded = (requests: readonly FakeRequest[]): FakeRequest[] =>
      requests.map((request) => (request.words.includes('b') ? { ...request, words: [request.words[0] ?? '', Buffer.from(request.words[1] ?? '', 'base64').toString(), ...request.words.slice(2)] } : request));
    fake.script = (requests, socket, connection) => {
      sent.push(...requests.map((request) => request.words[0] ?? ''));
      honest(decoded(requests), socket, connection);
    };
    expect((await node.getMany(['a b', 'c'])).map((item) => item?.value.toString())).toEqual(['1', '2']);
    expect(sent).toEqual(['mg', 'mg', 'mn']);
    // Both hits, second first.
    fake.script = (requests, socket, connection) => {
      honest([...decoded(requests).filter((request) => request.words[0] === 'mg')].reverse(), socket, connection);
      socket.write('MN\r\n');
    };
    await expect(node.getMany(['a b', 'c'])).rejects.toMatchObject({ code: 'ERR_CONNECTION', node: 'fake' });
  });

  it('fails the pending calls with ERR_CONNECTION when a value is cut off, and serves the next ones', async () => {
    const { fake, node } = await open(new Map([['k', 'x'.repeat(100)]]));
    const honest = fake.script;
    fake.script = (requests, socket, connection) => {
      if (connection > 1) return honest(requests, socket, connection);
      socket.end(`VA 100 O${requests[0]?.opaque ?? ''} f0\r\n${'x'.repeat(40)}`);
    };
    await expect(node.get('k')).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    await expect.poll(() => node.get('k').then((item) => item?.value.length, () => 'error'), { timeout: 5000 }).toBe(100);
  });

  it('drops a connection that stops answering (replyTimeoutMs), so nothing hangs', async () => {
    fake = await startFakeMemcached(() => undefined);
    node = createMemcachedNode({ id: 'silent', host: '127.0.0.1', port: fake.port, replyTimeoutMs: 100 });
    await expect(node.get('k')).rejects.toMatchObject({ code: 'ERR_CONNECTION', message: expect.stringMatching(/no reply/) });
  });

  it('after a late call, drops a connection the server stays silent on for that call\'s time (watchdog off)', async () => {
    fake = await startFakeMemcached(() => undefined);
    node = createMemcachedNode({ id: 'silent', host: '127.0.0.1', port: fake.port, replyTimeoutMs: 0 });
    const pending = node.get('k');
    await expect.poll(() => fake?.connections()).toBe(1);
    node.lateCall?.(50);
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CONNECTION', message: expect.stringMatching(/no reply within 50 ms after a late call/) });
  });

  it('after a late call, keeps a connection the server answers on within that time', async () => {
    const { fake, node } = await open(new Map([['a', '1']]));
    const honest = fake.script;
    let held: (() => void) | undefined;
    // The first get is answered only when the test says so.
    fake.script = (requests, socket, connection) => {
      if (held === undefined && requests.some((request) => request.words[1] === 'a')) held = () => honest(requests, socket, connection);
      else honest(requests, socket, connection);
    };
    const first = node.get('a');
    await expect.poll(() => held !== undefined).toBe(true);
    node.lateCall?.(200);
    held?.();
    expect((await first)?.value.toString()).toBe('1');
    expect((await node.get('a'))?.value.toString()).toBe('1');
    expect(fake.connections()).toBe(1);
  });

  it('fails only the call an error line answers; a multi-get with an error fails as a whole', async () => {
    const { fake, node } = await open(new Map([['a', '1']]));
    fake.script = (requests, socket) => {
      for (const request of requests) {
        if (request.words[0] === 'mn') socket.write('MN\r\n');
        else if (request.words.includes('bad')) socket.write(request.words[0] === 'get' ? 'VALUE a 0 1\r\n1\r\nSERVER_ERROR out of memory\r\n' : 'SERVER_ERROR out of memory\r\n');
        else if (!request.words.includes('q')) socket.write(`VA 1 O${request.opaque ?? ''}\r\n1\r\n`);
      }
    };
    const [bad, good] = await Promise.allSettled([node.get('bad'), node.get('a')]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'ERR_SERVER' } });
    expect(good).toMatchObject({ status: 'fulfilled', value: { value: Buffer.from('1'), flags: 0 } });
    await expect(node.getMany(['a', 'bad'])).rejects.toMatchObject({ code: 'ERR_SERVER' });
    expect((await node.get('a'))?.value.toString()).toBe('1');
  });

  it('writes the calls of one event-loop turn in one write', async () => {
    const store = new Map<string, string>();
    const { fake, node } = await open(store);
    const honest = fake.script;
    const batches: number[] = [];
    fake.script = (requests, socket, connection) => {
      batches.push(requests.length);
      honest(requests, socket, connection);
    };
    await node.ping();
    batches.length = 0;
    await Promise.all(Array.from({ length: 50 }, (_, index) => node.set(`k${index}`, `v${index}`, 0, 60)));
    // One write from the client; TCP may still split it across reads on a loaded machine.
    expect(batches.reduce((sum, count) => sum + count, 0)).toBe(50);
    expect(batches.length).toBeLessThanOrEqual(3);
    expect(store.get('k49')).toBe('v49');
  });
});
