import { describe, expect } from 'vitest';
import { InvalidOptionError, startFleet } from '../src/index.js';
import { fleetTest } from '../src/vitest.js';
import { childrenOf, commOf, isAlive } from './support/process-state.js';

const childServers = (): number[] => childrenOf(process.pid).filter((pid) => ['memcached', 'redis-server'].includes(commOf(pid) ?? ''));

const it = fleetTest({ memcached: 2, redis: 2 });

describe('startFleet', () => {
  it('starts every server on its own free loopback port', ({ fleet }) => {
    expect(fleet.memcached.map((server) => server.kind)).toEqual(['memcached', 'memcached']);
    expect(fleet.redis.map((server) => server.kind)).toEqual(['redis', 'redis']);
    expect(fleet.servers).toEqual([...fleet.memcached, ...fleet.redis]);
    const ports = fleet.servers.map((server) => server.port);
    expect(new Set(ports).size).toBe(4);
    for (const server of fleet.servers) {
      expect(server.host).toBe('127.0.0.1');
      expect(server.port).not.toBe(server.kind === 'redis' ? 6379 : 11211);
      expect(isAlive(server.pid)).toBe(true);
    }
  });

  it('stops every server by PID, idempotently', async () => {
    const fleet = await startFleet({ memcached: 1, redis: 1 });
    await fleet.stop();
    await fleet.stop();
    for (const server of fleet.servers) expect(isAlive(server.pid)).toBe(false);
  });

  it.each([
    [{}, 'memcached', /at least one server/],
    [{ memcached: -1 }, 'memcached', /integer from 0 to 64, got -1/],
    [{ redis: 1.5 }, 'redis', /got 1.5/],
    [{ redis: 1, startTimeoutMs: 0 }, 'startTimeoutMs', /positive number/],
  ])('rejects %j naming the option', async (options, option, message) => {
    const error: unknown = await startFleet(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option, message: expect.stringMatching(message) });
  });

  it('stops the servers that started when another one fails', async () => {
    const before = childServers();
    const error: unknown = await startFleet({ memcached: 2, memcachedOptions: {}, redis: 1, redisOptions: { extraArgs: ['--no-such-option', 'x'] } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'ERR_SERVER_START' });
    expect(childServers()).toEqual(before);
  });
});
