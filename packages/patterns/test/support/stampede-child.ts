// The second process of the stampede test. argv: backend, comma-separated nodes, prefix, key.
// Prints "ready" once connected, waits for "go" on stdin (the barrier), runs, prints the result.
import { createInterface } from 'node:readline';
import { ShardedClient } from '@shardcache/client';
import { connected } from './connected.js';
import { runStampede, STAMPEDE_TIMEOUT_MS } from './stampede.js';

const [backend, nodes, prefix, key] = process.argv.slice(2);
if ((backend !== 'redis' && backend !== 'memcached') || nodes === undefined || prefix === undefined || key === undefined) {
  throw new TypeError('usage: stampede-child <redis|memcached> <nodes> <prefix> <key>');
}
const client = new ShardedClient({ backend, nodes: nodes.split(','), keys: { prefix }, timeoutMs: STAMPEDE_TIMEOUT_MS });
await connected(client); // before the barrier
const lines = createInterface({ input: process.stdin });
let released = false;
const go = new Promise<void>((resolve) =>
  lines.on('line', (line) => {
    if (line !== 'go') return;
    released = true;
    resolve();
  }),
);
lines.on('close', () => {
  if (!released) process.exit(2); // the parent went away before the barrier: do not linger
});
process.stdout.write('ready\n');
await go;
const result = await runStampede(client, key);
process.stdout.write(`${JSON.stringify(result)}\n`);
lines.close();
await client.close();
