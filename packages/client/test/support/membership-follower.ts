// A second application process: follows the membership key and answers, on each line of stdin,
// with its epoch and a fingerprint of where 10,000 sampled keys live.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ShardedClient } from '../../src/sharded-client.js';
import { redisMembership } from '../../src/membership/redis-membership.js';
import { sampleKeys } from './sample-keys.js';

const [host = '127.0.0.1', port = '0', pollMs = '2000'] = process.argv.slice(2);
const membership = redisMembership({ host, port: Number(port), pollMs: Number(pollMs) });
const client = await ShardedClient.open({ backend: 'memcached', membership });
client.on('ring:changed', () => process.stdout.write(`${JSON.stringify({ event: 'changed', epoch: client.epoch, at: Date.now() })}\n`));

const fingerprint = (): string => createHash('sha1').update(sampleKeys.map((key) => client.locate(key) ?? '-').join('\n')).digest('hex');
process.stdout.write(`${JSON.stringify({ event: 'ready', epoch: client.epoch, fingerprint: fingerprint() })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'quit') break;
  process.stdout.write(`${JSON.stringify({ event: 'state', epoch: client.epoch, fingerprint: fingerprint() })}\n`);
}
await client.close();
await membership.close();
process.exit(0);
