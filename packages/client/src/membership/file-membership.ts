import { readFile } from 'node:fs/promises';
import { unwatchFile, watch, watchFile, type FSWatcher } from 'node:fs';
import { InvalidOptionError } from '../errors.js';
import type { NodeSpec } from '../nodes/node-address.js';
import { newerViews, type MembershipSource, type MembershipView } from './membership-source.js';

/**
 * Membership in a JSON file `{ "epoch": 3, "nodes": ["10.0.0.1:11211", ...] }` (written by a
 * deploy tool, a config-management agent, a mounted ConfigMap): watched for changes, and polled
 * every `pollMs` as the fallback where file events do not arrive.
 *
 * @example
 * const client = await ShardedClient.open({ backend: 'memcached', membership: fileMembership('/etc/shardcache/fleet.json') });
 */
export function fileMembership(path: string, options: { readonly pollMs?: number } = {}): MembershipSource {
  const pollMs = options.pollMs ?? 1000;
  if (!(Number.isFinite(pollMs) && pollMs > 0)) throw new InvalidOptionError('membership.pollMs', `expected a positive number of ms, got ${String(pollMs)}`);
  const read = async (): Promise<MembershipView> => parseFile(await readFile(path, 'utf8'), path);
  return {
    description: `file ${path}`,
    read,
    watch: (onView, onError) => {
      const views = newerViews(read, onView, onError);
      const refresh = (): void => views.refresh();
      let watcher: FSWatcher | undefined;
      try {
        watcher = watch(path, { persistent: false }, refresh);
        watcher.on('error', () => undefined);
      } catch {
        // No file events here: polling alone.
      }
      watchFile(path, { interval: pollMs, persistent: false }, refresh);
      refresh();
      return () => {
        views.stop();
        watcher?.close();
        unwatchFile(path, refresh);
      };
    },
    close: () => Promise.resolve(),
  };
}

/** The one place the file's contents are narrowed from `unknown`. */
function parseFile(text: string, path: string): MembershipView {
  const parsed: unknown = JSON.parse(text);
  const view = parsed as { epoch?: unknown; nodes?: unknown };
  if (typeof view.epoch !== 'number' || !Number.isInteger(view.epoch) || !Array.isArray(view.nodes)) {
    throw new InvalidOptionError(`membership file ${path}`, 'expected JSON { "epoch": integer, "nodes": [...] }');
  }
  return { epoch: view.epoch, nodes: view.nodes as NodeSpec[] };
}
