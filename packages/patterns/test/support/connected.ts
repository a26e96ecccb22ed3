import type { ShardedClient } from '@shardcache/client';

/**
 * Resolves once every node of `client` answers a ping (bounded by `timeoutMs`), so a test's
 * first burst of calls does not race the connections being established.
 */
export async function connected(client: ShardedClient, timeoutMs = 10_000): Promise<ShardedClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { up, down } = await client.ping();
    if (Object.keys(down).length === 0 && up.length > 0) return client;
    if (Date.now() > deadline) throw new Error(`nodes still down after ${timeoutMs} ms: ${Object.keys(down).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
