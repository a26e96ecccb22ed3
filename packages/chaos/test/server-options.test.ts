import { describe, expect, it } from 'vitest';
import { InvalidOptionError, startFleet, type Fleet } from '../src/index.js';
import { rawRequest } from './support/raw-request.js';

async function withFleet(options: Parameters<typeof startFleet>[0], body: (fleet: Fleet) => Promise<void>): Promise<void> {
  const fleet = await startFleet(options);
  try {
    await body(fleet);
  } finally {
    await fleet.stop();
  }
}

describe('server options', () => {
  it('serves memcached and redis over TLS with a certificate generated at start', async () => {
    await withFleet({ memcached: 1, redis: 1, memcachedOptions: { tls: true }, redisOptions: { tls: true } }, async (fleet) => {
      const [memcached, redis] = fleet.servers;
      if (memcached === undefined || redis === undefined) throw new Error('missing node');
      expect(memcached.tlsCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(await rawRequest(memcached.port, 'version\r\n', { ca: memcached.tlsCertificate ?? '' })).toMatchObject({ outcome: 'reply', text: expect.stringMatching(/^VERSION /) });
      expect(await rawRequest(redis.port, 'PING\r\n', { ca: redis.tlsCertificate ?? '' })).toMatchObject({ text: '+PONG\r\n' });
      // Plain text gets no answer from a TLS listener.
      expect((await rawRequest(memcached.port, 'version\r\n', { timeoutMs: 500 })).text).not.toMatch(/^VERSION/);
    });
  });

  it('limits the item size', async () => {
    await withFleet({ memcached: 1, memcachedOptions: { memoryMb: 8, maxItemSizeBytes: 2048 } }, async (fleet) => {
      const port = fleet.memcached[0]?.port ?? 0;
      expect((await rawRequest(port, `set small 0 0 1000\r\n${'x'.repeat(1000)}\r\n`)).text).toBe('STORED\r\n');
      expect((await rawRequest(port, `set big 0 0 4000\r\n${'x'.repeat(4000)}\r\n`)).text).toMatch(/SERVER_ERROR object too large/);
    });
  });

  it('requires a redis ACL user, or the default password', async () => {
    await withFleet({ redis: 1, redisOptions: { auth: { username: 'alice', password: 'secret' } } }, async (fleet) => {
      const port = fleet.redis[0]?.port ?? 0;
      expect((await rawRequest(port, 'GET k\r\n')).text).toMatch(/^-NOAUTH/);
      expect((await rawRequest(port, 'AUTH alice secret\r\nGET k\r\n', { until: (b) => b.toString().endsWith('$-1\r\n') })).text).toBe('+OK\r\n$-1\r\n');
      expect((await rawRequest(port, 'AUTH default secret\r\n')).text).toMatch(/^-WRONGPASS|^-ERR/);
    });
    await withFleet({ redis: 1, redisOptions: { auth: { password: 'secret' } } }, async (fleet) => {
      const port = fleet.redis[0]?.port ?? 0;
      expect((await rawRequest(port, 'AUTH secret\r\n')).text).toBe('+OK\r\n');
    });
  });

  it('requires memcached SASL credentials (binary protocol) when auth is set', async () => {
    await withFleet({ memcached: 1, memcachedOptions: { auth: { username: 'alice', password: 'secretpw' } } }, async (fleet) => {
      const port = fleet.memcached[0]?.port ?? 0;
      // SASL AUTH (opcode 0x21), mechanism PLAIN, value "\0user\0password": status 0 or 0x20 (auth error).
      const authenticate = async (password: string): Promise<number> => {
        const key = Buffer.from('PLAIN');
        const value = Buffer.from(`\0alice\0${password}`);
        const header = Buffer.alloc(24);
        header.writeUInt8(0x80, 0);
        header.writeUInt8(0x21, 1);
        header.writeUInt16BE(key.length, 2);
        header.writeUInt32BE(key.length + value.length, 8);
        const reply = await rawRequest(port, Buffer.concat([header, key, value]), { until: (received) => received.length >= 24 });
        return reply.bytes.readUInt16BE(6);
      };
      expect(await authenticate('secretpw')).toBe(0);
      expect(await authenticate('wrong')).toBe(0x20);
      // The text protocol is off with SASL.
      expect((await rawRequest(port, 'version\r\n')).text).not.toMatch(/^VERSION /);
    });
  });

  it.each([
    [{ memcached: 1, memcachedOptions: { maxItemSizeBytes: 10 } }, 'memcachedOptions.maxItemSizeBytes'],
    [{ redis: 1, redisOptions: { maxItemSizeBytes: 1024 } }, 'redisOptions.maxItemSizeBytes'],
    [{ memcached: 1, memcachedOptions: { auth: { password: 'x' } } }, 'memcachedOptions.auth.username'],
    [{ redis: 1, redisOptions: { auth: { password: 'has space' } } }, 'redisOptions.auth.password'],
    [{ redis: 1, redisOptions: { memoryMb: 0 } }, 'redisOptions.memoryMb'],
    [{ redis: 1, runtime: 'vm' as 'process' }, 'runtime'],
  ])('rejects %j naming %s', async (options, option) => {
    const error: unknown = await startFleet(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
  });
});
