// What ShardedClient itself costs per call: the whole success path (key rules, ring, health
// gate, deadline, stats, decode) through the real client, against a node that answers at once,
// so nothing but our code is measured. Also prints the same loop awaiting the node directly.
//
//   npm run build && node bench/client-overhead.mjs [iterations]
import { ShardedClient } from '@shardcache/client';
import { hit, instantNode } from './instant-node.mjs';

const N = Number(process.argv[2] ?? 2_000_000);
const client = new ShardedClient({ backend: 'redis', nodes: ['a:1', 'b:1', 'c:1', 'd:1'], nodeFactory: instantNode, defaultTtl: 'never' });
const keys = Array.from({ length: 1000 }, (_, i) => `user:${i}`);
const value = 'x'.repeat(100);

async function measure(label, call) {
  for (let i = 0; i < 200_000; i++) await call(i); // warm-up
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    for (let i = 0; i < N; i++) await call(i);
    runs.push(((performance.now() - started) * 1000) / N);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} ${runs[2].toFixed(3)} us/call (median of 5 x ${N})`);
  return runs[2];
}

const baseline = await measure('await the node directly (baseline)', () => hit);
const get = await measure('client.get (hit)', (i) => client.get(keys[i % 1000]));
const set = await measure('client.set (string, 100 bytes)', (i) => client.set(keys[i % 1000], value));
console.log(`success path over the baseline: get ${(get - baseline).toFixed(3)} us, set ${(set - baseline).toFixed(3)} us (goal: <= 0.5)`);
await client.close();
