import { ShardedClient } from '@shardcache/client';
const nodes = ['127.0.0.1:26379','127.0.0.1:26380','127.0.0.1:26381','127.0.0.1:26382'];
const client = new ShardedClient({ backend: 'redis', nodes, defaultTtl: 'never' });
await client.ping();
const VALUE = 'x'.repeat(100);
async function loop(total, op) { let next = 0; const t = performance.now(); await Promise.all(Array.from({length: 64}, async () => { for (;;) { const i = next++; if (i >= total) return; await op(i); } })); return total / (performance.now() - t) * 1000; }
const mode = process.argv[2];
const keys = Array.from({length: 100000}, (_, i) => `key:${i}`);
if (mode === 'set') { await loop(20000, (i) => client.set(keys[i % 100000], VALUE)); console.log('set/s', (await loop(100000, (i) => client.set(keys[i % 100000], VALUE))).toFixed(0)); }
if (mode === 'mget') { await loop(100000, (i) => client.set(keys[i], VALUE)); const batches = Array.from({length: 10000}, (_, j) => Array.from({length: 100}, (_, k) => keys[(j * 7919 + k * 104729) % 100000])); await loop(1000, (i) => client.getMany(batches[i])); console.log('mget/s', (await loop(10000, (i) => client.getMany(batches[i]))).toFixed(0)); }
if (mode === 'get') { await loop(20000, (i) => client.get(keys[i % 100000])); console.log('get/s', (await loop(100000, (i) => client.get(keys[i % 100000]))).toFixed(0)); }
await client.close();
