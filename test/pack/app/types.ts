// An application's TypeScript, type-checked against the installed tarballs' declarations under
// `moduleResolution: nodenext` and `bundler` (tsconfig.nodenext.json, tsconfig.bundler.json).
// Each `@ts-expect-error` proves a type is really there: were it `any`, the line would not fail
// and tsc would report the directive as unused.
import { startFleet, type Fleet } from '@shardcache/chaos';
import { main, type CliOutput } from '@shardcache/cli';
import { ShardedClient, type Backend } from '@shardcache/client';
import { HealthRegistry, type NodeState } from '@shardcache/health';
import { PatternCache, type Cache } from '@shardcache/patterns';
import { diff, ketamaRing, type Ring } from '@shardcache/ring';

const ring: Ring = ketamaRing(['127.0.0.1:11211', '127.0.0.1:11212']);
const owner: string = ring.locate('user:1');
const moved: number = diff(ring, ring.withNode('127.0.0.1:11213')).moved;
// @ts-expect-error: nodes are strings or node objects, not numbers
ketamaRing([11211]);

const backend: Backend = 'memcached';
const client = new ShardedClient({ backend, nodes: [owner] });
// @ts-expect-error: the backend is 'memcached' or 'redis'
new ShardedClient({ backend: 'mongodb', nodes: [owner] });
// A ShardedClient is the patterns' Cache as it is.
const cache: Cache = client;
const patterns = new PatternCache(cache, { defaultTtl: 300 });
const user: Promise<{ name: string }> = patterns.getOrSet('user:1', async () => ({ name: 'Ada' }));

const registry = new HealthRegistry({ autoEjectHosts: true });
const state: NodeState = registry.add(owner).state;

const fleet: Promise<Fleet> = startFleet({ memcached: 1 });
const output: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };
const exitCode: Promise<number> = main(['--help'], output);

export { exitCode, fleet, moved, state, user };
