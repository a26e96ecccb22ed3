// Health's errors never reach the client's callers as they are: a breaker refusal is the client's
// ERR_BREAKER_OPEN on every path (single key, fleet-wide, multi-key), a bad health option the
// client's ERR_INVALID_OPTION, each with health's error as `cause`.
import { BreakerOpenError as HealthBreakerOpenError, InvalidOptionError as HealthOptionError } from '@shardcache/health';
import { describe, expect, it } from 'vitest';
import { BreakerOpenError, InvalidOptionError, ShardcacheError, ShardedClient, type DumpedItem } from '../src/index.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211'];

/** A client whose first node has been ejected (one failure trips it); its breaker stays open for the test. */
async function withEjectedNode(): Promise<{ client: ShardedClient; ejected: string }> {
  const down = new Set<string>();
  const client = new ShardedClient({
    backend: 'memcached',
    nodes: IDS,
    failover: 'fail',
    health: { serverFailureLimit: 1, serverRetryTimeout: 60_000 },
    nodeFactory: (address) => memoryNode(address.id, new Map<string, DumpedItem>(), { down: () => down.has(address.id) }),
  });
  const ejected = IDS[0] ?? '';
  down.add(ejected);
  await client.ping().catch(() => undefined);
  return { client, ejected };
}

function expectRefusal(error: unknown, node: string): void {
  expect(error).toBeInstanceOf(BreakerOpenError);
  expect(error).toBeInstanceOf(ShardcacheError);
  expect(error).toMatchObject({ code: 'ERR_BREAKER_OPEN', node });
  expect((error as BreakerOpenError).cause).toBeInstanceOf(HealthBreakerOpenError);
  expect((error as BreakerOpenError).retryAt).toBeTypeOf('number');
}

describe('a breaker refusal reaches callers as a client error', () => {
  it('from flush()', async () => {
    const { client, ejected } = await withEjectedNode();
    expectRefusal(await client.flush().catch((error: unknown) => error), ejected);
    await client.destroy();
  });

  it("from ping()'s down list", async () => {
    const { client, ejected } = await withEjectedNode();
    const { up, down } = await client.ping();
    expect(up).toEqual([IDS[1]]);
    expectRefusal(down[ejected], ejected);
    await client.destroy();
  });
});

it('reports a bad health option as the client option that holds it', () => {
  const build = (): ShardedClient => new ShardedClient({ backend: 'memcached', nodes: IDS, health: { serverFailureLimit: 0 } });
  expect(build).toThrow(InvalidOptionError);
  expect(build).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'health.serverFailureLimit', cause: expect.any(HealthOptionError) }));
});

it('refuses a negative counter delta with ERR_INVALID_ARGUMENT naming it, sending nothing', async () => {
  const client = new ShardedClient({ backend: 'memcached', nodes: IDS, nodeFactory: (address) => memoryNode(address.id, new Map()) });
  await expect(client.incr('hits', -1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'delta', name: 'InvalidArgumentError' });
  await client.destroy();
});
