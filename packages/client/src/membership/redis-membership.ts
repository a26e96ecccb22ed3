import { Redis } from 'ioredis';
import { InvalidOptionError, ServerError } from '../errors.js';
import type { Clock } from '../internal/clock.js';
import { systemClock } from '../internal/clock.js';
import type { NodeSpec } from '../nodes/node-address.js';
import { newerViews, type MembershipSource, type MembershipView } from './membership-source.js';

export interface RedisMembershipOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  /** The key holding `{ epoch, nodes }` as JSON. Default `shardcache:membership`. */
  readonly key?: string;
  /** Re-read the key this often even without a notification (pub/sub can drop). Default 5000 ms. */
  readonly pollMs?: number;
  readonly clock?: Clock;
}

/** A membership source that can also publish (operators, deploy scripts, the CLI). */
export interface RedisMembership extends MembershipSource {
  /** Stores a new node list with the next epoch and notifies every watcher; resolves with the epoch. */
  publish(nodes: readonly NodeSpec[]): Promise<number>;
}

// Epoch and list change together, and watchers hear of it at once.
const PUBLISH = `local current = redis.call('GET', KEYS[1])
local epoch = 0
if current then epoch = cjson.decode(current).epoch end
epoch = epoch + 1
redis.call('SET', KEYS[1], cjson.encode({ epoch = epoch, nodes = cjson.decode(ARGV[1]) }))
redis.call('PUBLISH', KEYS[1], epoch)
return epoch`;

/**
 * Membership in one redis key, with pub/sub on the same name for prompt updates and polling as
 * the fallback: every client watching it converges on the same epoch.
 *
 * @example
 * const membership = redisMembership({ host: '10.0.0.9', port: 6379 });
 * await membership.publish(['10.0.0.1:11211', '10.0.0.2:11211']);
 * const client = new ShardedClient({ backend: 'memcached', membership });
 */
export function redisMembership(options: RedisMembershipOptions): RedisMembership {
  const key = options.key ?? 'shardcache:membership';
  const pollMs = options.pollMs ?? 5000;
  if (!(Number.isFinite(pollMs) && pollMs > 0)) throw new InvalidOptionError('membership.pollMs', `expected a positive number of ms, got ${String(pollMs)}`);
  const clock = options.clock ?? systemClock;
  const connection = {
    host: options.host,
    port: options.port,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  };
  const commands = new Redis(connection);
  commands.on('error', () => undefined);
  const subscribers: Redis[] = [];

  async function read(): Promise<MembershipView> {
    return parseView(await commands.get(key), key);
  }

  return {
    description: `redis ${options.host}:${options.port} ${key}`,
    read,
    publish: async (nodes) => {
      const epoch: unknown = await commands.eval(PUBLISH, 1, key, JSON.stringify(nodes));
      if (typeof epoch !== 'number') throw new ServerError(`${options.host}:${options.port}`, `membership publish returned ${JSON.stringify(epoch)}`);
      return epoch;
    },
    watch: (onView, onError) => {
      const views = newerViews(read, onView, onError);
      const refresh = (): void => views.refresh();
      const subscriber = new Redis(connection);
      subscribers.push(subscriber);
      subscriber.on('error', () => undefined);
      subscriber.on('message', refresh);
      subscriber.subscribe(key).then(refresh, onError);
      let cancel = clock.schedule(function poll() {
        refresh();
        cancel = clock.schedule(poll, pollMs);
      }, pollMs);
      return () => {
        views.stop();
        cancel();
        subscriber.disconnect();
      };
    },
    close: async () => {
      for (const subscriber of subscribers) subscriber.disconnect();
      commands.disconnect();
    },
  };
}

/** The one place a stored view is narrowed from `unknown`. */
function parseView(text: string | null, key: string): MembershipView {
  if (text === null) return { epoch: 0, nodes: [] };
  const parsed: unknown = JSON.parse(text);
  const view = parsed as { epoch?: unknown; nodes?: unknown };
  if (typeof view.epoch !== 'number' || !Array.isArray(view.nodes)) throw new InvalidOptionError(`membership key ${key}`, 'expected JSON { epoch: number, nodes: [...] }');
  return { epoch: view.epoch, nodes: view.nodes as NodeSpec[] };
}
