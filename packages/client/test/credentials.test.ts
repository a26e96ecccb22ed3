// Credentials reach the server and nothing else: not errors, not events, not stats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient } from '../src/index.js';

const PASSWORD = 'correct horse battery staple';
// An ACL user beside the default one (the fleet's readiness probe sends an unauthenticated PING).
let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({
    redis: 2,
    redisOptions: { extraArgs: ['--user', 'app', 'on', `>${PASSWORD}`, '~*', '+@all'] },
    memcached: 2,
    memcachedOptions: { auth: { username: 'app', password: 'sasl-secret' } },
  });
});

describe('memcached SASL credentials', () => {
  it('authenticates through memjs, and fails typed without leaking the password', async () => {
    const nodes = fleet.memcached.map((s) => s.address);
    const client = new ShardedClient({ backend: 'memcached', nodes, connection: { username: 'app', password: 'sasl-secret' } });
    const wrong = new ShardedClient({ backend: 'memcached', nodes, connection: { username: 'app', password: 'sasl-secret-wrong' }, timeoutMs: 1000 });
    try {
      await client.set('sasl:1', 'ok');
      expect(await client.get('sasl:1')).toBe('ok');
      const error: unknown = await wrong.get('sasl:1').catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_/) });
      expect(`${String((error as Error).message)} ${JSON.stringify(error)}`).not.toContain('sasl-secret');
    } finally {
      await Promise.all([client.close(), wrong.destroy()]);
    }
  });
});
afterAll(() => fleet.stop());

describe('redis ACL credentials', () => {
  it('authenticates with username and password', async () => {
    const client = new ShardedClient({ backend: 'redis', nodes: fleet.redis.map((s) => s.address), connection: { username: 'app', password: PASSWORD } });
    try {
      await client.set('acl:1', 'ok');
      expect(await client.get('acl:1')).toBe('ok');
    } finally {
      await client.close();
    }
  });

  it('fails with a typed error that never contains the password', async () => {
    const client = new ShardedClient({ backend: 'redis', nodes: fleet.redis.map((s) => s.address), connection: { username: 'app', password: `${PASSWORD} (wrong)` } });
    const events: string[] = [];
    client.on('error', ({ error }) => events.push(JSON.stringify({ message: error.message, code: error.code })));
    try {
      const error: unknown = await client.get('acl:1').catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_/) });
      const seen = [String((error as Error).message), JSON.stringify(error), ...events, JSON.stringify(client.stats)].join('\n');
      expect(seen).not.toContain(PASSWORD);
    } finally {
      await client.destroy();
    }
  });
});

describe('redis over TLS', () => {
  it('connects with the server certificate trusted, and refuses an untrusted one', async () => {
    const own = await startFleet({ redis: 2, redisOptions: { tls: true } });
    const nodes = own.redis.map((node) => node.address);
    const ca = own.redis.map((node) => node.tlsCertificate ?? '');
    const trusted = new ShardedClient({ backend: 'redis', nodes, connection: { tls: { ca } } });
    const untrusted = new ShardedClient({ backend: 'redis', nodes, connection: { tls: true }, timeoutMs: 1000 });
    try {
      await trusted.set('tls:1', 'secret');
      expect(await trusted.get('tls:1')).toBe('secret');
      await expect(untrusted.get('tls:1')).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_(CONNECTION|TIMEOUT)$/) });
    } finally {
      await Promise.all([trusted.close(), untrusted.destroy()]);
      await own.stop();
    }
  });
});

describe('memcached over TLS with the text-protocol login (memcached -Z -Y)', () => {
  it('logs in over TLS, refuses a wrong password typed and without leaking it, and never falls back to a plain socket', async () => {
    const own = await startFleet({ memcached: 2, memcachedOptions: { tls: true, asciiAuth: { username: 'app', password: 'tls-secret' } } });
    const plain = await startFleet({ memcached: 1, memcachedOptions: { asciiAuth: { username: 'app', password: 'tls-secret' } } });
    const nodes = own.memcached.map((node) => node.address);
    const ca = own.memcached.map((node) => node.tlsCertificate ?? '');
    const health = { serverFailureLimit: 100 };
    const client = new ShardedClient({ backend: 'memcached', nodes, connection: { tls: { ca }, username: 'app', password: 'tls-secret' } });
    const wrong = new ShardedClient({ backend: 'memcached', nodes, connection: { tls: { ca }, username: 'app', password: 'tls-secret-wrong' }, timeoutMs: 1000, health });
    // A server without TLS: the TLS handshake fails, nothing (no login) is sent in clear text.
    const downgraded = new ShardedClient({ backend: 'memcached', nodes: plain.memcached.map((node) => node.address), connection: { tls: { ca }, username: 'app', password: 'tls-secret' }, timeoutMs: 1000, health });
    try {
      await client.set('tls:login', 'ok');
      expect(await client.get('tls:login')).toBe('ok');
      expect((await client.getMany(['tls:login', 'tls:none'])).values).toEqual(['ok', undefined]);
      for (const refused of [wrong, downgraded]) {
        const error: unknown = await refused.get('tls:login').catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_(CONNECTION|TIMEOUT)$/) });
        expect(`${String((error as Error).message)} ${JSON.stringify(error)}`).not.toContain('tls-secret');
      }
    } finally {
      await Promise.all([client.close(), wrong.destroy(), downgraded.destroy()]);
      await Promise.all([own.stop(), plain.stop()]);
    }
  });
});
