// The meta-protocol memcached node against real memcached: what the contract test does not
// cover (native flags through the client, big batches, TLS, key scanning).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { createMemcachedNode, type MemcachedNode } from '../src/nodes/memcached-node.js';
import { ShardedClient } from '../src/sharded-client.js';
import { rawCommand, rawSet } from './support/raw-command.js';

let fleet: Fleet;
let server: FleetNode;
let node: MemcachedNode;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 1, memcachedOptions: { maxItemSizeBytes: 4 * 1024 * 1024, memoryMb: 64 }, proxy: false });
  server = fleet.memcached[0] as FleetNode;
  node = createMemcachedNode({ id: server.address, host: server.host, port: server.port });
});
afterAll(async () => {
  await node.destroy();
  await fleet.stop();
});

let unique = 0;
const key = (name: string): string => `${name}:${++unique}`;

describe('flags and values', () => {
  it('stores flags natively, so other clients see them and values carry no header', async () => {
    const k = key('native');
    await node.set(k, 'text', 0x53430001, 60);
    const reply = await rawCommand(server.port, `mg ${k} f v\r\n`, /\r\n$/);
    expect(reply).toBe('VA 4 f1396899841\r\ntext\r\n');
    expect(node.capabilities).toMatchObject({ nativeFlags: true, cas: true, scanKeys: true });
  });

  it('round-trips strings, objects, compressed values, raw bytes and foreign flags through the client', async () => {
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: [server.address],
      compressAbove: 64,
      nodeFactory: (address) => createMemcachedNode({ id: address.id, host: address.host, port: address.port }),
    });
    try {
      const [text, object, big, raw, foreign] = [key('s'), key('o'), key('z'), key('r'), key('f')];
      await client.set(text, 'héllo');
      await client.set(object, { id: 1, tags: ['a'] });
      await client.set(big, 'x'.repeat(10_000));
      await client.set(raw, Buffer.from([0, 1, 2]));
      // pylibmc's pickle flag (1): not ours, so its bytes come back untouched.
      await rawSet('memcached', server.port, foreign, Buffer.from('pickled'), 1);
      expect(await client.get(text)).toBe('héllo');
      expect(await client.get(object)).toEqual({ id: 1, tags: ['a'] });
      expect(await client.get(big)).toBe('x'.repeat(10_000));
      expect(await client.get(raw)).toEqual(Buffer.from([0, 1, 2]));
      expect(await client.get(foreign)).toEqual(Buffer.from('pickled'));
      const stored = await rawCommand(server.port, `mg ${big} f s\r\n`, /\r\n$/);
      expect(stored).toMatch(/^HD f1396900097 s\d+\r\n$/); // UTF8 | COMPRESSED, stored smaller
      expect(Number(/s(\d+)/.exec(stored)?.[1])).toBeLessThan(1000);
    } finally {
      await client.close();
    }
  });

  it('reads values larger than a socket read, and keys needing base64', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const k = key('big');
    await node.set(k, big, 0, 60);
    expect((await node.get(k))?.value.equals(big)).toBe(true);
    const spaced = key('with space\t');
    await node.set(spaced, 'ok', 0, 60);
    expect((await node.get(spaced))?.value.toString()).toBe('ok');
  });

  it('refuses a value over the server limit with ERR_VALUE_TOO_LARGE and stays in sync', async () => {
    const k = key('huge');
    await expect(node.set(k, Buffer.alloc(5 * 1024 * 1024), 0, 60)).rejects.toMatchObject({ code: 'ERR_VALUE_TOO_LARGE' });
    await node.set(k, 'small', 0, 60);
    expect((await node.get(k))?.value.toString()).toBe('small');
  });
});

describe('multi-get', () => {
  it('returns values aligned with the keys, duplicates and misses included, over thousands of keys', async () => {
    const keys = Array.from({ length: 3000 }, (_, index) => `mget:${index}`);
    await node.setMany(keys.filter((_, index) => index % 3 !== 0).map((k) => ({ key: k, value: `value of ${k}`, flags: 7, ttl: 60 })));
    const asked = [...keys, 'mget:1', 'mget:0', 'mget:1'];
    const items = await node.getMany(asked);
    expect(items).toHaveLength(asked.length);
    items.forEach((item, index) => {
      const k = asked[index] ?? '';
      if (Number(k.split(':')[1]) % 3 === 0) expect(item).toBeUndefined();
      else expect(item).toEqual({ value: Buffer.from(`value of ${k}`), flags: 7 });
    });
  });

  it('keeps concurrent multi-gets of one tick apart', async () => {
    await node.setMany(['x1', 'x2', 'x3'].map((k) => ({ key: k, value: k, flags: 0, ttl: 60 })));
    const [first, second] = await Promise.all([node.getMany(['x1', 'absent', 'x2']), node.getMany(['x3', 'x1'])]);
    expect(first.map((item) => item?.value.toString())).toEqual(['x1', undefined, 'x2']);
    expect(second.map((item) => item?.value.toString())).toEqual(['x3', 'x1']);
  });
});

describe('gets / cas and counters', () => {
  it('gives a CAS token that loses the race after another write', async () => {
    const k = key('cas');
    await node.set(k, 'v1', 0, 60);
    const first = await node.gets(k);
    expect(first?.cas).toMatch(/^\d+$/);
    expect(await node.cas(k, 'v2', 3, 60, first?.cas ?? '')).toBe('stored');
    expect(await node.cas(k, 'v3', 3, 60, first?.cas ?? '')).toBe('exists');
    expect(await node.get(k)).toEqual({ value: Buffer.from('v2'), flags: 3 });
  });

  it('fails incr of a non-numeric value alone with ERR_SERVER', async () => {
    const k = key('text');
    await node.set(k, 'abc', 0, 60);
    await expect(node.incr(k, 1)).rejects.toMatchObject({ code: 'ERR_SERVER' });
    expect((await node.get(k))?.value.toString()).toBe('abc');
  });
});

describe('key scanning', () => {
  it('lists the keys of the server with their expiry through lru_crawler metadump', async () => {
    const [expiring, forever, spaced] = [key('scan'), key('scan'), key('scan me%')];
    await node.set(expiring, 'a', 0, 600);
    await node.set(forever, 'b', 0, null);
    await node.set(spaced, 'c', 0, 600);
    const found = new Map<string, number | null>();
    for await (const item of node.scanKeys()) found.set(item.key, item.exp);
    expect(found.get(forever)).toBeNull();
    expect(found.get(expiring)).toBeGreaterThan(Date.now() / 1000 + 500);
    expect(found.has(spaced)).toBe(true);
  });

  it('closes the scan connection when the loop breaks, and refuses scans after close', async () => {
    await node.set(key('scan'), 'a', 0, 600);
    for await (const item of node.scanKeys()) {
      expect(typeof item.key).toBe('string');
      break;
    }
    const closed = createMemcachedNode({ id: 'closed', host: server.host, port: server.port });
    await closed.close();
    expect(() => closed.scanKeys()).toThrow(expect.objectContaining({ code: 'ERR_CLIENT_CLOSED' }));
  });
});

describe('TLS', () => {
  let tlsFleet: Fleet;
  let tlsServer: FleetNode;
  beforeAll(async () => {
    tlsFleet = await startFleet({ memcached: 1, memcachedOptions: { tls: true }, proxy: false });
    tlsServer = tlsFleet.memcached[0] as FleetNode;
  });
  afterAll(() => tlsFleet.stop());

  it('talks to a TLS memcached that it trusts, and scans keys over TLS', async () => {
    const secure = createMemcachedNode({ id: 'tls', host: tlsServer.host, port: tlsServer.port, tls: { ca: tlsServer.tlsCertificate ?? '' } });
    try {
      await secure.set('over-tls', 'secret', 5, 60);
      expect(await secure.get('over-tls')).toEqual({ value: Buffer.from('secret'), flags: 5 });
      expect(await secure.getMany(['over-tls', 'absent'])).toEqual([{ value: Buffer.from('secret'), flags: 5 }, undefined]);
      const keys: string[] = [];
      for await (const item of secure.scanKeys()) keys.push(item.key);
      expect(keys).toContain('over-tls');
    } finally {
      await secure.close();
    }
  });

  it('refuses a server whose certificate it does not trust, with ERR_CONNECTION', async () => {
    const untrusting = createMemcachedNode({ id: 'tls', host: tlsServer.host, port: tlsServer.port, tls: true });
    try {
      await expect(untrusting.get('k')).rejects.toMatchObject({ code: 'ERR_CONNECTION', node: 'tls' });
    } finally {
      await untrusting.destroy();
    }
  });
});
