import type { ServerKind } from '../server-kind.js';
import type { ServerProcess } from '../server-process.js';

/** What a fleet node runs on: a child process (runtime "process") or a container. */
export interface NodeBackend {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  /** The server's PID on this machine (for a container, its host PID; 0 if unknown). */
  readonly pid: number;
  readonly running: boolean;
  readonly paused: boolean;
  readonly tlsCertificate: string | undefined;
  pause(): Promise<void>;
  resume(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Starts a fresh, empty server on the same port (the old one must be gone). */
  startAgain(): Promise<NodeBackend>;
}

/** A `ServerProcess` as a node backend. */
export function processBackend(server: ServerProcess, startAgain: () => Promise<ServerProcess>): NodeBackend {
  return {
    kind: server.kind,
    host: server.host,
    port: server.port,
    pid: server.pid,
    get running() {
      return server.running;
    },
    get paused() {
      return server.paused;
    },
    tlsCertificate: server.tlsCertificate,
    pause: () => server.pause(),
    resume: async () => server.resume(),
    kill: () => server.kill(),
    stop: () => server.stop(),
    startAgain: async () => {
      const next = await startAgain();
      return processBackend(next, startAgain);
    },
  };
}
