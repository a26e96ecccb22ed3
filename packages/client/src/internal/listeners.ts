import type { EventEmitter } from 'node:events';

/** The warning code of a listener that threw (`process.on('warning')` sees it). */
export const LISTENER_THREW = 'SHARDCACHE_LISTENER_THREW';

/**
 * Calls every listener of `event`, each on its own: one that throws neither stops the others
 * nor reaches the code that emitted (a health transition, a ring swap, a call's failure), which
 * must finish whatever an application's listener does. The exception becomes a process warning
 * with the code SHARDCACHE_LISTENER_THREW, so it is seen, and the client carries on.
 */
export function emitSafely(emitter: EventEmitter, event: string, payload: unknown): void {
  for (const listener of emitter.rawListeners(event)) {
    try {
      (listener as (payload: unknown) => unknown).call(emitter, payload);
    } catch (error) {
      // A string warning, since Node drops the options (the code) of an Error warning.
      process.emitWarning(`A "${event}" listener of a ShardedClient threw: ${error instanceof Error ? error.message : String(error)}`, {
        code: LISTENER_THREW,
        detail: `The client ignored it and carried on.${error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : ''}`,
      });
    }
  }
}
