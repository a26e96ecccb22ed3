import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One ground-truth file (format: packages/ring/scripts/ground-truth/README.md), narrowed. */
export interface Fixture {
  readonly file: string;
  readonly tool: string;
  readonly pool?: unknown;
  readonly clientConfig?: { servers: string[]; behaviorsAppliedInOrder: Record<string, unknown>[] };
  readonly effectiveBehaviors?: { hash: string; distribution: string; ketamaWeighted: boolean };
  readonly ejected: string[];
  readonly assignments: Record<string, string>;
  readonly keyCount: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const OWN = join(HERE, '..', 'fixtures');
// The four samples the ground-truth generator started from, used only if ours are missing.
const SHARED = join(HERE, '..', '..', '..', '..', '..', 'shared', 'fixtures');

function jsonFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f)) : [];
}

function narrow(file: string, raw: unknown): Fixture {
  const r = raw as Record<string, unknown>;
  const cc = r['client_config'] as Record<string, unknown> | undefined;
  const eb = r['effective_behaviors'] as Record<string, unknown> | null | undefined;
  return {
    file,
    tool: String(r['tool']),
    ...(r['pool'] === undefined ? {} : { pool: r['pool'] }),
    ...(cc === undefined
      ? {}
      : { clientConfig: { servers: cc['servers'] as string[], behaviorsAppliedInOrder: cc['behaviors_applied_in_order'] as Record<string, unknown>[] } }),
    ...(eb === undefined || eb === null
      ? {}
      : { effectiveBehaviors: { hash: String(eb['hash']), distribution: String(eb['distribution']), ketamaWeighted: Boolean(eb['ketama_weighted']) } }),
    ejected: (r['ejected'] as string[] | undefined) ?? [],
    assignments: r['assignments'] as Record<string, string>,
    keyCount: Number(r['key_count']),
  };
}

/** Every fixture in test/fixtures, or the shared samples when that folder has none. */
export function loadFixtures(): Fixture[] {
  const own = jsonFiles(OWN);
  const files = own.length > 0 ? own : jsonFiles(SHARED);
  return files.map((path) => narrow(path.slice(path.lastIndexOf('/') + 1), JSON.parse(readFileSync(path, 'utf8'))));
}
