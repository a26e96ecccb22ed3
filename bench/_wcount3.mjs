const { ShardedClient } = await import('@shardcache/client');
const { Redis } = await import('ioredis');
const nodes = ['127.0.0.1:26379','127.0.0.1:26380','127.0.0.1:26381','127.0.0.1:26382'];
const VALUE = 'x'.repeat(100);
async function loop(total, op) { let next = 0; const t = performance.now(); await Promise.all(Array.from({length: 64}, async () => { for (;;) { const i = next++; if (i >= total) return; await op(i); } })); return (total / (performance.now() - t) * 1000); }
const io = [26379,26380,26381,26382].map(port => new Redis({ port, enableAutoPipelining: true }));
const client = new ShardedClient({ backend: 'redis', nodes, defaultTtl: 'never' }); await client.ping();
const node = (await import('@shardcache/client')).createRedisNode;
const raw = nodes.map((a, i) => node({ id: a, host: '127.0.0.1', port: 26379 + i }));
for (const r of raw) await r.connect();
const B = Buffer.from(VALUE); const tests = { ioredis: (i) => io[i & 3].set('k' + i, VALUE), rawnode: (i) => raw[i & 3].set('k' + i, VALUE, 1, null), client: (i) => client.set('k' + i, VALUE), clientbuf: (i) => client.set('k' + i, B), clientget: (i) => client.get('k' + i), ioget: (i) => io[i & 3].get('k' + i) };
const res = {};
for (let round = 0; round < 5; round++) for (const [n, op] of Object.entries(tests)) { await loop(10000, op); (res[n] ??= []).push(await loop(100000, op)); }
for (const [n, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(n, 'median set/s', v[2].toFixed(0)); }
await client.close(); io.forEach(c => c.disconnect()); raw.forEach(r => r.destroy());
