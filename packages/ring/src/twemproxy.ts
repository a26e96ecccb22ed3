import { DuplicateNodeError } from './errors.js';
import type { HashName } from './hash-key.js';
import { byteHashNamed, hashRange } from './hash-key.js';
import { ContinuumRing } from './internal/continuum-ring.js';
import type { Continuum } from './internal/continuum.js';
import { ketamaPointCount, PointList } from './internal/ketama-points.js';
import type { RingSpec } from './internal/base-ring.js';
import { byteKeyHasher } from './internal/key-hasher.js';
import { LabelWriter } from './internal/labels.js';
import { integerWeight } from './internal/nodes.js';
import { SlotRing } from './internal/slot-ring.js';
import type { PoolPlacement } from './internal/twemproxy-pool.js';
import { narrowTwemproxyPool } from './internal/twemproxy-pool.js';
import type { TwemproxyServer } from './internal/twemproxy-server.js';
import { compareTwemproxyNames, parseTwemproxyServer } from './internal/twemproxy-server.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

export type { TwemproxyDirective, TwemproxyPool } from './internal/twemproxy-pool.js';
export type { TwemproxyServer } from './internal/twemproxy-server.js';

const POINTS_PER_HASH = 4;
// KETAMA_MAX_HOSTLEN - 1: snprintf truncates longer "<name>-<i>" labels.
const MAX_LABEL_BYTES = 272;

/**
 * Points a live server gets in twemproxy's ketama_update, in the same float32 arithmetic:
 * `floorf(w/W * 160/4 * nlive + 1e-10) * 4` (so weights 1,1,1,7,15 give 28,28,28,224,480).
 */
export function twemproxyPointCount(weight: number, totalWeight: number, live: number): number {
  return ketamaPointCount(weight, totalWeight, live, 0.0000000001);
}

function ketamaContinuum(servers: readonly TwemproxyServer[]): Continuum {
  const total = servers.reduce((sum, s) => sum + s.weight, 0);
  const counts = servers.map((s) => twemproxyPointCount(s.weight, total, servers.length));
  const points = new PointList(counts.reduce((sum, c) => sum + c, 0));
  // Inserted in server order, then label index, then digest word: glibc's qsort (a merge sort)
  // keeps that order among equal points, and the continuum gives a tie to the smaller owner number.
  servers.forEach((server, owner) => {
    const label = new LabelWriter(`${server.name}-`);
    for (let i = 0; i < (counts[owner] ?? 0) / POINTS_PER_HASH; i++) points.addMd5(label, i, owner, MAX_LABEL_BYTES);
  });
  return points.build(servers.length);
}

function modulaSlots(servers: readonly TwemproxyServer[]): Uint32Array {
  const slots = new Uint32Array(servers.reduce((sum, s) => sum + s.weight, 0));
  let at = 0;
  servers.forEach((server, owner) => {
    slots.fill(owner, at, at + server.weight);
    at += server.weight;
  });
  return slots;
}

function toServer(input: RingNodeInput): TwemproxyServer {
  if (typeof input === 'string') return parseTwemproxyServer(input);
  const weight = integerWeight(input.id, input.weight ?? 1);
  return parseTwemproxyServer(`${input.id}:${weight}${input.name === undefined ? '' : ` ${input.name}`}`);
}

function serverOf(node: RingNode): TwemproxyServer {
  // Nodes of a twemproxy ring are TwemproxyServer objects; withWeights copies them with a new weight.
  const server = node as TwemproxyServer;
  return { ...server, weight: integerWeight(node.id, node.weight) };
}

function build(placement: PoolPlacement, input: readonly TwemproxyServer[]): Ring {
  // conf_validate_server: sorted by name (length, then bytes), names unique; ids must be too.
  const servers = [...input].sort(compareTwemproxyNames);
  const ids = new Set<string>();
  servers.forEach((server, i) => {
    if (i > 0 && compareTwemproxyNames(servers[i - 1] ?? server, server) === 0) throw new DuplicateNodeError(server.name, 'name');
    if (ids.has(server.id)) throw new DuplicateNodeError(server.id);
    ids.add(server.id);
  });
  const hash: HashName = placement.hash;
  const spec: RingSpec = {
    algorithm: `twemproxy ${placement.distribution}`,
    hash,
    hashIdentity: `twemproxy:${hash}:${placement.pool.hash_tag ?? ''}`,
    range: hashRange(hash),
    nodes: servers,
    keyHash: byteKeyHasher(byteHashNamed(hash), { hashTag: placement.hashTag, emptyIsZero: true }),
    toNode: toServer,
    checkWeight: integerWeight,
    rebuild: (next) => build(placement, next.map(serverOf)),
  };
  return placement.distribution === 'ketama'
    ? new ContinuumRing(spec, ketamaContinuum(servers))
    : new SlotRing(spec, modulaSlots(servers));
}

/**
 * A ring that places keys exactly as twemproxy (nutcracker) 0.5.0 does for one pool, given as
 * written in its YAML file (a `TwemproxyPool`; see `parseTwemproxyConfig`). `locate` returns `"host:port"`, applying
 * `hash_tag` and hashing the empty key to 0. `withoutNode("host:port")` is twemproxy after it ejects
 * that server: the ring is rebuilt from the live servers, so the others' point counts rescale.
 *
 * @example
 * const ring = twemproxyRing({ hash: 'fnv1a_64', distribution: 'ketama', hash_tag: '{}',
 *   servers: ['10.0.0.1:11211:1', '10.0.0.2:11211:1', '10.0.0.3:11211:2 big'] });
 * ring.locate('{user:1}:profile') === ring.locate('user:1'); // true: only the tag is hashed
 */
export function twemproxyRing(pool: unknown): Ring {
  const placement = narrowTwemproxyPool(pool);
  return build(placement, placement.pool.servers.map(parseTwemproxyServer));
}
