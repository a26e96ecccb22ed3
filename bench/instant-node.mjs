// A cache node that answers every call at once (already-settled promises), for benchmarks that
// measure the client's own code: nothing of a socket, a parser or a server is in the numbers.
const answered = Promise.resolve(undefined);

/** The value every read finds. */
export const hit = Promise.resolve({ value: Buffer.from('v'), flags: 0 });

/** A `nodeFactory` for ShardedClient. */
export const instantNode = (address) => ({
  id: address.id,
  capabilities: { nativeFlags: true, cas: false, scanKeys: false, dumpRestore: false },
  get: () => hit,
  getMany: (keys) => Promise.resolve(keys.map(() => ({ value: Buffer.from('v'), flags: 0 }))),
  set: () => answered,
  ping: () => answered,
  close: async () => undefined,
  destroy: async () => undefined,
});
