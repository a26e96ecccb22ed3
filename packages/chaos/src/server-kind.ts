/** The servers a fleet can run. */
export type ServerKind = 'memcached' | 'redis';

export const SERVER_KINDS: readonly ServerKind[] = ['memcached', 'redis'];

/** How to start one kind of server and how to tell that it answers. */
export interface ServerRecipe {
  readonly binary: string;
  /** Command-line arguments for a server on `127.0.0.1:port` keeping any files in `dir`. */
  args(port: number, dir: string, options: ServerOptions): string[];
  /** A request that the server answers once it accepts commands, and the reply's first bytes. */
  readonly probe: { readonly request: string; readonly reply: string };
  /** Whether the server needs a scratch directory (redis does; memcached keeps nothing). */
  readonly needsDir: boolean;
}

/** Per-server settings shared by every server of one kind in a fleet. */
export interface ServerOptions {
  /** Memory limit in MiB (memcached `-m`, redis `maxmemory`). Default 64. */
  readonly memoryMb?: number;
  /** Extra command-line arguments appended as given. */
  readonly extraArgs?: readonly string[];
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export const RECIPES: Readonly<Record<ServerKind, ServerRecipe>> = {
  memcached: {
    binary: 'memcached',
    needsDir: false,
    // No -d: the process stays our child so we can stop it by PID. -U 0: no UDP port.
    args: (port, _dir, options) => [
      '-l', '127.0.0.1',
      '-p', String(port),
      '-U', '0',
      '-m', String(options.memoryMb ?? 64),
      '-t', '2',
      // memcached refuses to run as root unless told which user to be.
      ...(runningAsRoot ? ['-u', 'root'] : []),
      ...(options.extraArgs ?? []),
    ],
    probe: { request: 'version\r\n', reply: 'VERSION ' },
  },
  redis: {
    binary: 'redis-server',
    needsDir: true,
    // No persistence at all: no RDB snapshots, no AOF, scratch dir removed on stop.
    args: (port, dir, options) => [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--daemonize', 'no',
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      '--maxmemory', `${options.memoryMb ?? 64}mb`,
      '--loglevel', 'warning',
      ...(options.extraArgs ?? []),
    ],
    probe: { request: 'PING\r\n', reply: '+PONG' },
  },
};
