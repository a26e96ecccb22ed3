import { parseArgs } from 'node:util';
import { createMemcachedNode, createRedisNode, parseNodeSpec, type CacheNode } from '@shardcache/client';
import { UsageError } from '../errors.js';
import type { CliOutput } from '../main.js';
import { backendOption } from '../internal/options.js';
import { table } from '../internal/output.js';
import { RING_OPTIONS, RING_OPTIONS_HELP, ringFromArgs, serverList } from '../internal/ring-args.js';

export const VERIFY_HELP = `Usage: shardcache verify --servers LIST [ring options] [--backend memcached|redis] [--sample N] [--json]

A live placement audit: samples the keys stored on each server (redis SCAN, memcached
lru_crawler metadump) and reports those sitting on a node the ring would not choose (left over
from an old configuration, or written by a client with another ring).

${RING_OPTIONS_HELP}
                         (with --config and no --servers, the pool's servers are audited)
  --backend NAME         memcached (default) or redis
  --sample N             keys read per server at most (default 10000)
  --json
  --help`;

/** What one server holds, against the ring. */
export interface NodeAudit {
  readonly node: string;
  readonly sampled: number;
  readonly misplaced: number;
  /** A few misplaced keys with the node the ring would choose. */
  readonly examples: readonly { readonly key: string; readonly belongsTo: string }[];
}

/**
 * `shardcache verify`: where stored keys are versus where the ring puts them.
 *
 * @example
 * await runVerify(['--servers', '10.0.0.1:6379,10.0.0.2:6379', '--backend', 'redis'], output);
 */
export async function runVerify(argv: readonly string[], output: CliOutput): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...RING_OPTIONS,
      backend: { type: 'string', default: 'memcached' },
      sample: { type: 'string', default: '10000' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const backend = backendOption(values.backend);
  const sample = Number(values.sample);
  if (!Number.isInteger(sample) || sample <= 0) throw new UsageError(`--sample must be a positive integer, got "${values.sample}"`);
  if (values.config === undefined && values.servers === undefined) throw new UsageError('verify needs --servers LIST or --config FILE');
  const ring = ringFromArgs(values);
  const servers = values.servers === undefined ? ring.nodes.map((node) => node.id) : serverList(values.servers);
  const audits = await Promise.all(servers.map((server) => audit(backend, server, sample, (key) => ring.locate(key))));
  if (values.json) {
    output.out(JSON.stringify(audits));
    return;
  }
  output.out(table(['node', 'keys sampled', 'misplaced', 'for example'], audits.map((a) => [a.node, a.sampled, a.misplaced, a.examples.map((e) => `${e.key} -> ${e.belongsTo}`).join(', ')])));
}

async function audit(backend: 'memcached' | 'redis', server: string, sample: number, locate: (key: string) => string): Promise<NodeAudit> {
  const address = parseNodeSpec(server, '--servers');
  const options = { id: address.id, host: address.host, port: address.port, connectTimeoutMs: 2000 };
  const node: CacheNode = backend === 'redis' ? createRedisNode(options) : createMemcachedNode(options);
  try {
    const { scan } = node;
    if (scan === undefined) throw new UsageError(`${backend} nodes cannot list their keys`);
    let cursor = '0';
    let sampled = 0;
    let misplaced = 0;
    const examples: { key: string; belongsTo: string }[] = [];
    do {
      const page = await scan.call(node, cursor, Math.min(1000, sample - sampled));
      for (const key of page.keys.slice(0, sample - sampled)) {
        sampled++;
        const belongsTo = locate(key);
        if (belongsTo !== address.id) {
          misplaced++;
          if (examples.length < 3) examples.push({ key, belongsTo });
        }
      }
      cursor = page.cursor;
    } while (cursor !== '0' && sampled < sample);
    return { node: address.id, sampled, misplaced, examples };
  } finally {
    await node.destroy();
  }
}
