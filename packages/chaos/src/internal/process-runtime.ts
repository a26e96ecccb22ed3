import type { ServerKind } from '../server-kind.js';
import { ServerProcess, type ServerProcessOptions } from '../server-process.js';
import { processBackend, type NodeBackend } from './node-backend.js';

/** Starts one server as a child process; a restart reuses its options and port. */
export async function startProcessBackend(kind: ServerKind, options: ServerProcessOptions): Promise<NodeBackend> {
  const server = await ServerProcess.start(kind, options);
  return processBackend(server, () => ServerProcess.start(kind, { ...options, port: server.port }));
}
