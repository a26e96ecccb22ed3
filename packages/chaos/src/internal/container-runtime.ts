import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { RuntimeUnavailableError, ServerStartError } from '../errors.js';
import type { ServerKind } from '../server-kind.js';
import type { ServerProcessOptions } from '../server-process.js';
import type { NodeBackend } from './node-backend.js';
import { recordPid } from './pid-log.js';
import { whenStopped } from './process-state.js';
import { probeOnce } from './probe.js';

/**
 * The images the testcontainers runtime starts. They cannot be pulled here (no registry), so
 * `scripts/test-containers.sh` builds them from the installed binaries; elsewhere point these
 * variables at official images (`memcached:1.6`, `redis:7`).
 */
const IMAGES: Readonly<Record<ServerKind, string>> = {
  memcached: process.env['SHARDCACHE_MEMCACHED_IMAGE'] ?? 'localhost/shardcache-memcached:local',
  redis: process.env['SHARDCACHE_REDIS_IMAGE'] ?? 'localhost/shardcache-redis:local',
};
const CONTAINER_PORT: Readonly<Record<ServerKind, number>> = { memcached: 11211, redis: 6379 };
const PROBE: Readonly<Record<ServerKind, readonly [string, string]>> = { memcached: ['version\r\n', 'VERSION '], redis: ['PING\r\n', '+PONG'] };

/** testcontainers publishes on every interface; a fleet publishes on 127.0.0.1 only. */
class LoopbackContainer extends GenericContainer {
  publishOnLoopback(containerPort: number, hostPort: number): this {
    this.withExposedPorts(containerPort);
    this.hostConfig.PortBindings = { ...this.hostConfig.PortBindings, [`${containerPort}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] };
    return this;
  }
}

function command(kind: ServerKind, options: ServerProcessOptions): string[] {
  const memory = options.memoryMb ?? 64;
  const extra = options.extraArgs ?? [];
  if (kind === 'memcached') {
    const itemSize = options.maxItemSizeBytes === undefined ? [] : ['-I', String(options.maxItemSizeBytes)];
    return ['/usr/bin/memcached', '-l', '0.0.0.0', '-p', '11211', '-U', '0', '-m', String(memory), '-t', '2', ...itemSize, ...extra];
  }
  const auth = options.auth === undefined ? [] : ['--requirepass', options.auth.password];
  return ['/usr/bin/redis-server', '--bind', '0.0.0.0', '--port', '6379', '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', '/tmp', '--maxmemory', `${memory}mb`, ...auth, ...extra];
}

/**
 * Starts one server in a container through testcontainers 11, published on 127.0.0.1. Process
 * faults act on the server's host PID (SIGSTOP, SIGKILL), as with the process runtime; network
 * faults go through the same in-process proxy.
 */
export async function startContainerBackend(kind: ServerKind, options: ServerProcessOptions): Promise<NodeBackend> {
  if (options.tls === true) throw new RuntimeUnavailableError('tls is not available with runtime "testcontainers" yet');
  if (options.auth?.username !== undefined) throw new RuntimeUnavailableError('ACL users are not available with runtime "testcontainers" yet (a password is)');
  let container = await startContainer(kind, options, options.port ?? 0);
  const port = container.getMappedPort(CONTAINER_PORT[kind]);
  let pid = await hostPid(kind, container);
  let running = true;
  let paused = false;

  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  const remove = async (): Promise<void> => {
    if (paused) signal('SIGCONT');
    paused = false;
    running = false;
    await container.stop({ timeout: 0, remove: true });
  };

  const backend: NodeBackend = {
    kind,
    host: '127.0.0.1',
    port,
    get pid() {
      return pid;
    },
    get running() {
      return running;
    },
    get paused() {
      return paused;
    },
    tlsCertificate: undefined,
    pause: async () => {
      signal('SIGSTOP');
      paused = true;
      await whenStopped(pid);
    },
    resume: async () => {
      signal('SIGCONT');
      paused = false;
    },
    kill: remove,
    stop: remove,
    startAgain: async () => {
      container = await startContainer(kind, options, port);
      pid = await hostPid(kind, container);
      running = true;
      return backend;
    },
  };
  return backend;
}

async function startContainer(kind: ServerKind, options: ServerProcessOptions, hostPort: number): Promise<StartedTestContainer> {
  let container: StartedTestContainer;
  try {
    container = await new LoopbackContainer(IMAGES[kind])
      .publishOnLoopback(CONTAINER_PORT[kind], hostPort)
      .withCommand(command(kind, options))
      .withUser(kind === 'memcached' ? '65534:65534' : '0:0')
      .withLabels({ 'org.shardcache.fleet': 'true' })
      .withStartupTimeout(options.startTimeoutMs ?? 30_000)
      .start();
  } catch (error) {
    throw new ServerStartError(`${kind} container (${IMAGES[kind]}) did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const port = container.getMappedPort(CONTAINER_PORT[kind]);
  const [request, reply] = PROBE[kind];
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await probeOnce(port, request, reply, 250))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (Date.now() > deadline) {
      await container.stop({ timeout: 0, remove: true });
      throw new ServerStartError(`${kind} container on 127.0.0.1:${port} did not answer`);
    }
  }
  return container;
}

/** The server's PID as this machine sees it (rootful podman and docker share the PID view). */
async function hostPid(kind: ServerKind, container: StartedTestContainer): Promise<number> {
  const client = await getContainerRuntimeClient();
  const inspected: unknown = await client.container.getById(container.getId()).inspect();
  const pid = (inspected as { State?: { Pid?: unknown } }).State?.Pid;
  if (typeof pid !== 'number' || pid <= 0) return 0;
  recordPid({ pid, comm: kind === 'redis' ? 'redis-server' : 'memcached', port: container.getMappedPort(CONTAINER_PORT[kind]), startedAt: new Date().toISOString() });
  return pid;
}
