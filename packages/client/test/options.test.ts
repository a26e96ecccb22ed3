// Every option is honoured or refused, never silently ignored: unknown names (typos, options of
// another version) and combinations the client cannot keep are refused with ERR_INVALID_OPTION.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient, type ShardedClientOptions } from '../src/index.js';
import { rawCommand } from './support/raw-command.js';

const base = { backend: 'redis', nodes: ['127.0.0.1:6379'] } as const;

function refusal(options: unknown): unknown {
  try {
    new ShardedClient(options as ShardedClientOptions);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('option names', () => {
  it.each([
    [{ ...base, timeoutMS: 100 }, 'timeoutMS', 'did you mean "timeoutMs"?'],
    [{ ...base, failOver: 'next' }, 'failOver', 'did you mean "failover"?'],
    [{ ...base, encoding: 'utf8' }, 'encoding', ''],
    [{ ...base, connection: { tls: true, connectTimeout: 100 } }, 'connection.connectTimeout', 'did you mean "connection.connectTimeoutMs"?'],
  ])('refuses an unknown name (%o), naming the closest known one', (options, option, hint) => {
    const error = refusal(options);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
    expect(String((error as Error).message)).toContain(hint);
  });
});

describe('security options', () => {
  it('refuses memjs (SASL) together with TLS (memjs opens plain sockets only), naming the option', () => {
    const error = refusal({ backend: 'memcached', nodes: ['127.0.0.1:11211'], connection: { username: 'u', password: 'p', tls: true, memcachedDriver: 'memjs' } });
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'connection.tls' });
    expect(String((error as Error).message)).not.toContain('"p"');
  });

  it('refuses a twemproxy pool marked redis: true under backend memcached', () => {
    const error = refusal({ backend: 'memcached', twemproxy: { servers: ['127.0.0.1:11211:1'], redis: true, distribution: 'ketama', hash: 'fnv1a_64' } });
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'twemproxy.redis' });
  });
});

describe('redis database and a twemproxy pool\'s redis_auth and redis_db, on a real server', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ redis: 1, redisOptions: { auth: { password: 'pool-secret' } } });
  });
  afterAll(() => fleet.stop());

  it('writes into the database `connection.db` names (and refuses it under memcached)', async () => {
    const server = fleet.redis[0] as FleetNode;
    const client = new ShardedClient({ backend: 'redis', nodes: [server.address], connection: { password: 'pool-secret', db: 3 } });
    try {
      await client.set('in-db-3', 'v');
      const reply = await rawCommand(server.port, 'AUTH pool-secret\r\nSELECT 3\r\nEXISTS in-db-3\r\nSELECT 0\r\nEXISTS in-db-3\r\n', /:\d\r\n\+OK\r\n:\d\r\n$/);
      expect(reply).toBe('+OK\r\n+OK\r\n:1\r\n+OK\r\n:0\r\n');
    } finally {
      await client.close();
    }
    expect(refusal({ backend: 'memcached', nodes: ['127.0.0.1:11211'], connection: { db: 1 } })).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'connection.db' });
  });

  it('authenticates with the pool\'s redis_auth and selects its redis_db', async () => {
    const server = fleet.redis[0] as FleetNode;
    const yaml = `cache:\n  redis: true\n  redis_auth: pool-secret\n  redis_db: 5\n  distribution: ketama\n  hash: fnv1a_64\n  servers:\n    - ${server.address}:1\n`;
    const client = new ShardedClient({ backend: 'redis', twemproxy: yaml });
    try {
      await client.set('in-db-5', 'v');
      expect(await client.get('in-db-5')).toBe('v');
      const reply = await rawCommand(server.port, 'AUTH pool-secret\r\nSELECT 5\r\nEXISTS in-db-5\r\n', /:\d\r\n$/);
      expect(reply).toBe('+OK\r\n+OK\r\n:1\r\n');
    } finally {
      await client.close();
    }
    expect(refusal({ backend: 'memcached', twemproxy: { servers: ['127.0.0.1:11211:1'], redis_db: 1 } })).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'twemproxy.redis_db' });
  });
});
