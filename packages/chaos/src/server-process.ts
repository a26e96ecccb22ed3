import { spawn, type ChildProcess } from 'node:child_process';
import { InvalidOptionError, ServerNotInstalledError, ServerStartError } from './errors.js';
import { freePort } from './internal/free-port.js';
import { trackLive, untrackLive } from './internal/live-processes.js';
import { recordPid } from './internal/pid-log.js';
import { probeOnce } from './internal/probe.js';
import { whenStopped } from './internal/process-state.js';
import { prepareFiles, removeFiles, type PreparedFiles } from './internal/server-files.js';
import { unwatch, watch } from './internal/watchdog.js';
import { RECIPES, validateServerOptions, type ServerKind, type ServerOptions } from './server-kind.js';

/** Options for one server process. */
export interface ServerProcessOptions extends ServerOptions {
  /** How long to wait for the server to answer its probe. Default 10 s. */
  readonly startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in `stop()`. Default 2 s. */
  readonly stopGraceMs?: number;
  /** Listen on exactly this port (a restart on the same address); no retry if it is taken. */
  readonly port?: number;
}

const PORT_ATTEMPTS = 5;
const PROBE_INTERVAL_MS = 10;
const STDERR_TAIL = 2048;

/**
 * One real memcached or redis-server process on a free port of 127.0.0.1, started without
 * daemonizing (it stays our child), watched by the watchdog, and stopped by PID.
 *
 * @example
 * const server = await ServerProcess.start('redis');
 * console.log(server.address); // "127.0.0.1:40123"
 * await server.stop();
 */
export class ServerProcess {
  readonly kind: ServerKind;
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  /** Resolves with the exit code (or null after a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The options it was started with (a restart reuses them, with `port` fixed). */
  readonly options: ServerProcessOptions;
  readonly #files: PreparedFiles | undefined;
  #running = true;
  #paused = false;

  private constructor(kind: ServerKind, port: number, pid: number, files: PreparedFiles | undefined, exited: Promise<number | null>, options: ServerProcessOptions) {
    this.kind = kind;
    this.port = port;
    this.pid = pid;
    this.#files = files;
    this.options = options;
    this.exited = exited.then((code) => {
      this.#running = false;
      return code;
    });
  }

  /** `"127.0.0.1:port"`, the form clients take. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** False once the process has exited, whoever stopped it. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Starts a server and resolves once it answers `version` (memcached) or `PING` (redis).
   * Retries on a fresh port when another process took the chosen one first.
   */
  static async start(kind: ServerKind, options: ServerProcessOptions = {}): Promise<ServerProcess> {
    validateServerOptions(kind, options);
    if (options.port !== undefined) {
      if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
        throw new InvalidOptionError('port', `expected an integer from 1 to 65535, got ${String(options.port)}`);
      }
      return ServerProcess.#startOn(kind, options.port, options).catch((error: unknown) => {
        throw error instanceof PortTakenError ? new ServerStartError(`${kind} could not bind port ${options.port ?? ''} again`, { cause: error }) : error;
      });
    }
    let lastError: unknown;
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const port = await freePort();
      try {
        return await ServerProcess.#startOn(kind, port, options);
      } catch (error) {
        if (!(error instanceof PortTakenError)) throw error;
        lastError = error;
      }
    }
    throw new ServerStartError(`${kind} could not bind a free port in ${PORT_ATTEMPTS} attempts`, { cause: lastError });
  }

  static async #startOn(kind: ServerKind, port: number, options: ServerProcessOptions): Promise<ServerProcess> {
    const recipe = RECIPES[kind];
    const files = recipe.needsDir(options) ? await prepareFiles(kind, options) : undefined;
    const dir = files?.dir;
    const child = spawn(recipe.binary, recipe.args(port, files, options), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...files?.env },
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });

    const pid = await spawned(child, recipe.binary).catch((error: unknown) => {
      removeFiles(dir);
      throw error;
    });
    trackLive(pid);
    await watch(pid);
    recordPid({ pid, comm: recipe.binary, port, startedAt: new Date().toISOString() });

    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        untrackLive(pid);
        void unwatch(pid);
        removeFiles(dir);
        resolve(code);
      });
    });
    const server = new ServerProcess(kind, port, pid, files, exited, options);
    const probe = recipe.probe(options);

    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    while (server.running) {
      if (await probeOnce(port, probe.request, probe.reply, 250, options.tls === true)) return server;
      if (Date.now() > deadline) {
        await server.kill();
        throw new ServerStartError(`${kind} on port ${port} did not answer within ${options.startTimeoutMs ?? 10_000} ms. stderr: ${stderr.trim()}`);
      }
      await delay(PROBE_INTERVAL_MS);
    }
    const code = await server.exited;
    if (/address already in use/i.test(stderr)) throw new PortTakenError(port);
    throw new ServerStartError(`${kind} on port ${port} exited with code ${code} before answering. stderr: ${stderr.trim()}`);
  }

  /** SIGTERM, then SIGKILL if the process has not exited after the grace period. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#signal('SIGTERM');
    // A stopped (paused) process only acts on SIGTERM once it runs again.
    if (this.#paused) this.resume();
    const timer = setTimeout(() => this.#signal('SIGKILL'), this.options.stopGraceMs ?? 2000);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL now (a crash, as far as clients can tell). Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.#running) return;
    this.#signal('SIGKILL');
    await this.exited;
  }

  /**
   * SIGSTOP: a hung node. It keeps its data, and TCP still connects (the kernel's backlog
   * accepts) but nothing is answered until `resume()`. Resolves once the kernel reports the
   * process stopped (a SIGSTOP lands asynchronously; a request sent just after it could still be
   * answered otherwise).
   */
  async pause(): Promise<void> {
    if (!this.#running || this.#paused) return;
    this.#signal('SIGSTOP');
    this.#paused = true;
    await whenStopped(this.pid);
  }

  /** SIGCONT: answers again, including requests queued while it was paused. */
  resume(): void {
    if (!this.#paused) return;
    this.#signal('SIGCONT');
    this.#paused = false;
  }

  /** True between `pause()` and `resume()`. */
  get paused(): boolean {
    return this.#paused && this.#running;
  }

  /** The PEM certificate to trust (`ca`) when started with `tls: true`. */
  get tlsCertificate(): string | undefined {
    return this.#files?.certificate;
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(this.pid, signal);
    } catch {
      // Exited between the check and the signal; `exited` settles on its own.
    }
  }

  /** The scratch directory (redis only), removed when the process exits. */
  get dir(): string | undefined {
    return this.#files?.dir;
  }
}

class PortTakenError extends Error {
  constructor(port: number) {
    super(`port ${port} was taken`);
  }
}

function spawned(child: ChildProcess, binary: string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new ServerNotInstalledError(binary) : new ServerStartError(`could not start ${binary}`, { cause: error }));
    });
    child.once('spawn', () => {
      if (child.pid === undefined) reject(new ServerStartError(`${binary} started without a PID`));
      else resolve(child.pid);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
