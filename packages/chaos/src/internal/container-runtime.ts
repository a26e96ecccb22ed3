import { RuntimeUnavailableError } from '../errors.js';
import type { ServerKind } from '../server-kind.js';
import type { ServerProcessOptions } from '../server-process.js';
import type { NodeBackend } from './node-backend.js';

/** Starts one server in a container through testcontainers (not implemented yet). */
export async function startContainerBackend(kind: ServerKind, _options: ServerProcessOptions): Promise<NodeBackend> {
  throw new RuntimeUnavailableError(`runtime "testcontainers" is not available for ${kind} yet`);
}
