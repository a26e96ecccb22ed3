import type { InvalidationBus } from '../../src/index.js';

/** An in-process bus: every member hears the others' messages, never its own. */
export function memoryBuses(count: number): InvalidationBus[] {
  const listeners: ((keys: readonly string[]) => void)[][] = Array.from({ length: count }, () => []);
  return listeners.map((own, index) => ({
    publish: async (keys) => {
      listeners.forEach((members, member) => {
        if (member !== index) for (const listener of members) listener(keys);
      });
    },
    subscribe: (listener) => {
      own.push(listener);
      return () => void own.splice(own.indexOf(listener), 1);
    },
    close: async () => undefined,
  }));
}
