import { readFileSync } from 'node:fs';
import { jumpRing, ketamaRing, libmemcachedRing, maglevRing, modulaRing, multiProbeRing, parseTwemproxyConfig, rendezvousRing, twemproxyRing, type Ring } from '@shardcache/ring';
import { UsageError } from '../errors.js';

/** The native algorithms `--algorithm` and `--compare` accept. */
export const ALGORITHMS = ['ketama', 'modula', 'maglev', 'rendezvous', 'jump', 'multi-probe'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

const BUILDERS: Readonly<Record<Algorithm, (nodes: readonly string[]) => Ring>> = {
  ketama: (nodes) => ketamaRing(nodes),
  modula: (nodes) => modulaRing(nodes),
  maglev: (nodes) => maglevRing(nodes),
  rendezvous: (nodes) => rendezvousRing(nodes),
  jump: (nodes) => jumpRing(nodes),
  'multi-probe': (nodes) => multiProbeRing(nodes),
};

export function algorithm(name: string): Algorithm {
  const found = ALGORITHMS.find((known) => known === name);
  if (found === undefined) throw new UsageError(`unknown algorithm "${name}" (expected ${ALGORITHMS.join(', ')})`);
  return found;
}

/** `--servers a:1,b:2` as a list (the ring parses each server and says what is wrong). */
export function serverList(text: string | undefined, option = '--servers'): string[] {
  const servers = (text ?? '').split(',').map((server) => server.trim()).filter((server) => server !== '');
  if (servers.length === 0) throw new UsageError(`${option} needs at least one "host:port[:weight]"`);
  const bad = servers.find((server) => !/^(\[[^\]]+\]|[^:\s[\]]+):\d+(:\d+(\.\d+)?)?( \S+)?$/.test(server));
  if (bad !== undefined) throw new UsageError(`${option}: expected "host:port[:weight][ name]", got "${bad}"`);
  return servers;
}

export interface RingArgs {
  readonly config?: string | undefined;
  readonly pool?: string | undefined;
  readonly servers?: string | undefined;
  readonly distribution?: string | undefined;
  readonly hash?: string | undefined;
  readonly libmemcached?: string | undefined;
  readonly algorithm?: string | undefined;
}

/** The ring options `locate`, `simulate` and `verify` share, for `parseArgs`. */
export const RING_OPTIONS = {
  config: { type: 'string' },
  pool: { type: 'string' },
  servers: { type: 'string' },
  distribution: { type: 'string' },
  hash: { type: 'string' },
  libmemcached: { type: 'string' },
  algorithm: { type: 'string' },
} as const;

/** Help text for those options. */
export const RING_OPTIONS_HELP = `  --config FILE          a nutcracker (twemproxy) YAML file; --pool NAME picks the pool
  --servers LIST         host:port[:weight][ name],... (the fleet, in client order)
  --distribution NAME    twemproxy placement over --servers: ketama or modula (with --hash)
  --hash NAME            the key hash: twemproxy's (md5, fnv1a_64, murmur, crc32a, ...) with
                         --distribution, pylibmc's (default, md5, crc, fnv1a_32, ...) with --libmemcached
  --libmemcached NAME    libmemcached placement over --servers: modula, consistent,
                         "consistent ketama", "consistent ketama spy", "consistent weighted"
  --algorithm NAME       a native ring otherwise: ketama (default), modula, maglev,
                         rendezvous, jump, multi-probe`;

/** True when the arguments ask for a twemproxy or libmemcached ring rather than a native one. */
export function isCompatibleRing(args: RingArgs): boolean {
  return args.config !== undefined || args.distribution !== undefined || args.libmemcached !== undefined || (args.hash !== undefined && args.algorithm === undefined);
}

/**
 * The ring the arguments describe: a pool of a nutcracker YAML file (`--config`, `--pool`), a
 * twemproxy-compatible ring from `--servers` with `--distribution`/`--hash`, a
 * libmemcached-compatible one with `--libmemcached` (and pylibmc's `--hash`), or a native ring
 * (`--algorithm`, default ketama) over `--servers`.
 */
export function ringFromArgs(args: RingArgs): Ring {
  if (args.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(args.config, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --config ${args.config}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const pools = parseTwemproxyConfig(text);
    const names = Object.keys(pools);
    const name = args.pool ?? (names.length === 1 ? names[0] : undefined);
    const pool = name === undefined ? undefined : pools[name];
    if (pool === undefined) throw new UsageError(`--pool must name one of the pools in ${args.config}: ${names.join(', ')}`);
    return twemproxyRing(pool);
  }
  const servers = serverList(args.servers);
  if (args.libmemcached !== undefined) {
    if (args.distribution !== undefined) throw new UsageError('give --distribution (twemproxy) or --libmemcached, not both');
    return libmemcachedRing({ servers, distribution: args.libmemcached, ...(args.hash === undefined ? {} : { hash: args.hash }) });
  }
  if (args.distribution !== undefined || args.hash !== undefined) {
    return twemproxyRing({ servers, ...(args.distribution === undefined ? {} : { distribution: args.distribution }), ...(args.hash === undefined ? {} : { hash: args.hash }) });
  }
  return BUILDERS[algorithm(args.algorithm ?? 'ketama')](servers);
}

/** A native ring of `algorithm` over `servers`. */
export function nativeRing(name: Algorithm, servers: readonly string[]): Ring {
  return BUILDERS[name](servers);
}
