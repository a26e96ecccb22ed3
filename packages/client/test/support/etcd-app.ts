// One application process of test/etcd-fleet.test.ts: follows etcd membership, keeps cache calls
// flowing, and reports on stdout (JSON lines) each epoch applied, each status change and each
// ejection, with the time it happened. stdin: `calls` (answer the call counts), `quit`.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { etcdMembership } from '../../src/membership/etcd-membership.js';
import { ShardedClient } from '../../src/sharded-client.js';
import { sampleKeys } from './sample-keys.js';

const [endpoints = '', prefix = ''] = process.argv.slice(2);
const say = (message: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify({ ...message, at: Date.now() })}\n`);
const membership = etcdMembership({ endpoints: endpoints.split(','), prefix });
const client = await ShardedClient.open({ backend: 'memcached', membership, timeoutMs: 250 });
const fingerprint = (): string => createHash('sha1').update(sampleKeys.map((key) => client.locate(key) ?? '-').join('\n')).digest('hex');
client.on('ring:changed', (change) => {
  if (change.reason === 'membership') say({ event: 'applied', epoch: client.epoch });
});
client.on('membership:status', ({ state }) => say({ event: 'status', state }));
client.on('node:ejected', ({ node }) => say({ event: 'ejected', node, state: client.stats.membership.state }));
client.on('error', () => undefined);

// Traffic of its own, one call at a time: the request path must not wait on etcd.
const calls = { ok: 0, failed: 0 };
let running = true;
const traffic = (async () => {
  for (let i = 0; running; i++) {
    const key = sampleKeys[i % sampleKeys.length] ?? 'k';
    try {
      await (i % 2 === 0 ? client.set(key, i) : client.get(key));
      calls.ok++;
    } catch {
      calls.failed++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
})();

say({ event: 'ready', epoch: client.epoch });
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'quit') break;
  if (line === 'calls') say({ event: 'calls', ...calls, epoch: client.epoch, fingerprint: fingerprint() });
}
running = false;
await traffic;
await client.close();
await membership.close();
process.exit(0);
