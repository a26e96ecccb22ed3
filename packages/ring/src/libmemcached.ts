import { InvalidConfigError, RingEmptyError, UnknownDistributionError, UnknownHashError, UnsupportedError } from './errors.js';
import type { HashName } from './hash-key.js';
import { byteHashNamed, hashRange } from './hash-key.js';
import { murmur3 } from './hash/murmur3.js';
import type { RingSpec } from './internal/base-ring.js';
import type { ByteHash } from './internal/bytes.js';
import { ContinuumRing } from './internal/continuum-ring.js';
import type { Continuum } from './internal/continuum.js';
import { ketamaPointCount, PointList } from './internal/ketama-points.js';
import { byteKeyHasher } from './internal/key-hasher.js';
import { LabelWriter } from './internal/labels.js';
import type { LibmemcachedServer } from './internal/libmemcached-server.js';
import { parseLibmemcachedServer } from './internal/libmemcached-server.js';
import { assertUnique, integerWeight } from './internal/nodes.js';
import { SlotRing } from './internal/slot-ring.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

export type { LibmemcachedServer } from './internal/libmemcached-server.js';

/**
 * libmemcached's placement options, with pylibmc's names (spaces or underscores).
 *
 * @example
 * const options: LibmemcachedOptions = {
 *   servers: ['10.0.0.1:11211:1', '10.0.0.2:11211:1'], distribution: 'consistent ketama', hash: 'md5',
 * };
 */
export interface LibmemcachedOptions {
  /** `"host[:port[:weight]]"` (or `"[v6]:port:weight"`), in client order: order matters. */
  readonly servers: readonly string[];
  /** `modula` (default), `consistent`, `consistent ketama`, `consistent ketama spy`, `consistent weighted`. */
  readonly distribution?: string;
  /**
   * `default` (one_at_a_time), `md5`, `crc`, `fnv1_64`, `fnv1a_64`, `fnv1_32`, `fnv1a_32`, `murmur`,
   * `jenkins`, or `murmur3` (memccp's `--hash`); case-insensitive. `hsieh` fails (ERR_UNSUPPORTED).
   */
  readonly hash?: string;
  /**
   * libmemcached's `ketama_weighted` flag (md5 points, 160 per unit of weight). Default: on for
   * `consistent weighted`, and for other consistent distributions when a weight > 1, since adding
   * such a server switches it on. Pass pylibmc's effective `ketama_weighted` when behaviors
   * were changed after the servers were added.
   */
  readonly weighted?: boolean;
}

const HASHES: Readonly<Record<string, HashName>> = {
  default: 'one_at_a_time', md5: 'md5', crc: 'crc32', fnv1_64: 'fnv1_64', fnv1a_64: 'fnv1a_64',
  fnv1_32: 'fnv1_32', fnv1a_32: 'fnv1a_32', murmur: 'murmur', jenkins: 'jenkins',
};
// libhashkit's murmur3: MurmurHash3_x86_32 seeded with 0xdeadbeef * length (memccp --hash=MURMUR3).
const murmur3Seeded: ByteHash = (bytes, start, end) => murmur3(bytes, start, end, Math.imul(0xdeadbeef, end - start));
const HASH_NAMES = [...Object.keys(HASHES), 'murmur3'];

interface KeyHash {
  readonly identity: string;
  readonly bytes: ByteHash;
  readonly range: number;
}

/** pylibmc's hash names, or memccp's (upper case); hsieh is refused as Debian's libhashkit does. */
function keyHashNamed(name: unknown): KeyHash {
  const lower = typeof name === 'string' ? name.toLowerCase() : name;
  if (lower === 'murmur3') return { identity: 'libmemcached:murmur3', bytes: murmur3Seeded, range: 2 ** 32 };
  if (lower === 'hsieh') {
    throw new UnsupportedError('hash "hsieh": libmemcached 1.1.4 is built without it (Debian), so setting it fails');
  }
  if (typeof lower === 'string' && Object.hasOwn(HASHES, lower)) {
    const hash = HASHES[lower] ?? 'one_at_a_time';
    return { identity: `libmemcached:${hash}`, bytes: byteHashNamed(hash), range: hashRange(hash) };
  }
  throw new UnknownHashError(name, HASH_NAMES);
}
type Distribution = 'modula' | 'consistent' | 'consistent ketama' | 'consistent ketama spy' | 'consistent weighted';
const DISTRIBUTIONS: readonly Distribution[] = ['modula', 'consistent', 'consistent ketama', 'consistent ketama spy', 'consistent weighted'];

interface Placement {
  readonly distribution: Distribution;
  readonly hashName: string;
  readonly hash: KeyHash;
  /** Resolved `ketama_weighted`; sticky, as in libmemcached (adding a weight > 1 turns it on). */
  readonly weighted: boolean;
}

const POINTS_UNWEIGHTED = 100;
const DEFAULT_PORT = 11211;

function continuumOf(servers: readonly LibmemcachedServer[], placement: Placement, keyHash: ByteHash): Continuum {
  const spy = placement.distribution === 'consistent ketama spy';
  const total = servers.reduce((sum, s) => sum + s.weight, 0);
  // update_continuum's weighted count is all float32: the epsilon is 1e-10f.
  const counts = servers.map((s) => (placement.weighted ? ketamaPointCount(s.weight, total, servers.length, Math.fround(1e-10)) : POINTS_UNWEIGHTED));
  const points = new PointList(counts.reduce((sum, c) => sum + c, 0));
  // Inserted in server order: libmemcached's qsort compares value, then server index.
  servers.forEach((server, owner) => {
    // Spy (spymemcached) labels are "/host:port-i"; others drop ":11211" as ketama always did.
    const prefix = spy ? `/${server.host}:${server.port}-` : server.port === DEFAULT_PORT ? `${server.host}-` : `${server.host}:${server.port}-`;
    const label = new LabelWriter(prefix);
    const count = counts[owner] ?? 0;
    if (placement.weighted) {
      for (let i = 0; i < count / 4; i++) points.addMd5(label, i, owner);
    } else {
      for (let i = 0; i < count; i++) points.add(keyHash(label.bytes, 0, label.write(i)), owner);
    }
  });
  return points.build(servers.length);
}

/** server_add: a server with weight > 1 switches a consistent distribution to weighted ketama. */
function turnsWeightingOn(distribution: Distribution, servers: readonly LibmemcachedServer[]): boolean {
  return distribution !== 'modula' && servers.some((s) => s.weight > 1);
}

function toServer(input: RingNodeInput): LibmemcachedServer {
  if (typeof input === 'string') return parseLibmemcachedServer(input);
  return parseLibmemcachedServer(`${input.id}:${integerWeight(input.id, input.weight ?? 1)}`);
}

function build(placement: Placement, servers: readonly LibmemcachedServer[]): Ring {
  if (servers.length === 0) throw new RingEmptyError('libmemcached needs at least one server');
  assertUnique(servers);
  const { bytes, range } = placement.hash;
  const spec: RingSpec = {
    algorithm: `libmemcached ${placement.distribution}`,
    hash: placement.hashName,
    hashIdentity: placement.hash.identity,
    range,
    nodes: servers,
    keyHash: byteKeyHasher(bytes),
    toNode: toServer,
    checkWeight: integerWeight,
    rebuild: (next: readonly RingNode[]) => {
      const servers = next.map((n) => ({ ...(n as LibmemcachedServer), weight: integerWeight(n.id, n.weight) }));
      return build({ ...placement, weighted: placement.weighted || turnsWeightingOn(placement.distribution, servers) }, servers);
    },
  };
  if (placement.distribution === 'modula') {
    // hash % server count: weights are ignored.
    return new SlotRing(spec, Uint32Array.from(servers, (_, i) => i));
  }
  return new ContinuumRing(spec, continuumOf(servers, placement, bytes));
}

/**
 * A ring that places keys exactly as libmemcached 1.1.4 (through pylibmc) does, for the
 * distributions that are deterministic. Servers keep the given order; `locate` returns `"host:port"`.
 *
 * @example
 * const ring = libmemcachedRing({ servers: ['10.0.0.1:11211', '10.0.0.2:11211'], distribution: 'consistent ketama' });
 * ring.locate('user:1');
 */
export function libmemcachedRing(options: LibmemcachedOptions): Ring {
  if (typeof options !== 'object' || options === null) throw new InvalidConfigError('options', 'expected { servers, distribution?, hash? }');
  const { servers, distribution = 'modula', hash = 'default', weighted } = options;
  if (!Array.isArray(servers) || !servers.every((s): s is string => typeof s === 'string')) {
    throw new InvalidConfigError('servers', 'expected a list of "host:port:weight" strings');
  }
  const normalized = typeof distribution === 'string' ? distribution.replaceAll('_', ' ') : distribution;
  if (normalized === 'random' || normalized === 'virtual bucket') {
    throw new UnsupportedError(`distribution "${normalized}" is not a deterministic placement`);
  }
  if (!DISTRIBUTIONS.includes(normalized as Distribution)) {
    throw new UnknownDistributionError(distribution, DISTRIBUTIONS);
  }
  const keyHash = keyHashNamed(hash);
  if (weighted !== undefined && typeof weighted !== 'boolean') throw new InvalidConfigError('weighted', 'expected a boolean');
  const dist = normalized as Distribution;
  const parsed = servers.map(parseLibmemcachedServer);
  const resolved = weighted ?? (dist === 'consistent weighted' || turnsWeightingOn(dist, parsed));
  return build({ distribution: dist, hashName: String(hash).toLowerCase(), hash: keyHash, weighted: resolved }, parsed);
}
