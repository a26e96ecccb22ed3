import type { IBackoff } from 'cockatiel';
import type { Etcd3 } from 'etcd3';

/** One key as read: its value and `mod_revision` (0 when the key does not exist). */
export interface StoredKey {
  readonly value: string | undefined;
  readonly modRevision: number;
}

/** What a key's watch reports: a new value (undefined when deleted), and the link to etcd. */
export interface KeyWatchHandlers {
  readonly changed: (key: StoredKey) => void;
  /** The watch stream is up: on the first connection and after every reconnect. */
  readonly connected: () => void;
  readonly disconnected: (error: unknown) => void;
}

/** The little of etcd membership needs, so `etcd3`'s types stay behind this file. */
export interface EtcdKv {
  read(key: string): Promise<StoredKey>;
  /** Writes `value` only if the key's `mod_revision` is still `modRevision`; resolves with the new one, or undefined if it moved. */
  writeIf(key: string, value: string, modRevision: number): Promise<number | undefined>;
  watch(key: string, handlers: KeyWatchHandlers): () => void;
  close(): void;
}

const HOST_PAUSE_MS = 500;
const REOPEN_MS = 100;

/** Timings that decide how soon a process notices etcd's return. */
export interface EtcdKvOptions {
  readonly endpoints: readonly string[];
  /** Deadline of one unary call (read, write). */
  readonly callTimeoutMs: number;
  /** The longest wait between two attempts to re-open a broken watch. */
  readonly maxReconnectMs: number;
}

/**
 * An `EtcdKv` on the `etcd3` client. Its defaults suit long-lived services, not a fleet that
 * must re-adopt etcd's ring within seconds of its return: a watch backs off to 30 s, and a host
 * that failed three times is skipped for 5 s. Here a watch retries every 100 ms doubling to
 * `maxReconnectMs`; a host that failed once is skipped for 500 ms, so a re-opened watch or a
 * retried call goes to a member that answers instead of the one just killed (measured: with
 * every failed host tried again at once, a publish took 1.4 s to reach 8 processes with one
 * member of three down); and every unary call has a deadline, so a hung member cannot stall a read.
 */
export function connectEtcd(options: EtcdKvOptions): EtcdKv {
  let loading: Promise<Etcd3> | undefined;
  const client = (): Promise<Etcd3> => (loading ??= load(options));
  return {
    async read(key) {
      const response = await (await client()).get(key).exec();
      const kv = response.kvs[0];
      return kv === undefined ? { value: undefined, modRevision: 0 } : { value: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) };
    },
    async writeIf(key, value, modRevision) {
      const etcd = await client();
      // A key that does not exist has mod_revision 0, so 0 means "only if nobody created it".
      const response = await etcd.if(key, 'Mod', '==', modRevision).then(etcd.put(key).value(value)).commit();
      return response.succeeded ? Number(response.header.revision) : undefined;
    },
    watch(key, handlers) {
      let detach: (() => void) | undefined;
      let again: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;
      const open = (etcd: Etcd3): void => {
        if (stopped) return;
        // watcher(), not create(): create() resolves only once connected, and the handlers must
        // hear of a disconnection even when etcd is down from the start.
        const watcher = etcd.watch().key(key).watcher();
        watcher.on('put', (kv) => handlers.changed({ value: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) }));
        watcher.on('delete', (kv) => handlers.changed({ value: undefined, modRevision: Number(kv.mod_revision) }));
        watcher.on('connected', () => handlers.connected());
        watcher.on('disconnected', (error) => handlers.disconnected(error));
        // etcd cancelled the watch: typically, on reconnecting, the revision it resumes from was
        // compacted away while it was cut off. That watcher is dead; a new one starts from now,
        // and its `connected` makes the caller re-read what it missed.
        watcher.on('error', (error) => {
          handlers.disconnected(new Error(`the watch was cancelled by etcd (its history compacted?): ${error.message}`, { cause: error }));
          detach?.();
          // Real time, not the client's clock: this re-open is part of etcd3's reconnection,
          // whose back-offs, breakers and gRPC deadlines all run on real timers anyway.
          again = setTimeout(() => open(etcd), REOPEN_MS);
          again.unref();
        });
        detach = () => {
          watcher.removeAllListeners();
          // An 'error' with no listener would throw: one may still arrive while cancelling.
          watcher.on('error', () => undefined);
          watcher.cancel().catch(() => undefined);
        };
      };
      client().then(open, handlers.disconnected);
      return () => {
        stopped = true;
        clearTimeout(again);
        detach?.();
      };
    },
    close() {
      void loading?.then((etcd) => etcd.close());
    },
  };
}

/**
 * Loaded on first use: importing etcd3 (gRPC, protobuf definitions) takes ~0.5 s, which every
 * process importing this package would pay, etcd or not.
 */
async function load(options: EtcdKvOptions): Promise<Etcd3> {
  const [{ Etcd3, isRecoverableError }, { circuitBreaker, ConsecutiveBreaker, handleWhen, retry }] = await Promise.all([import('etcd3'), import('cockatiel')]);
  return new Etcd3({
    hosts: [...options.endpoints],
    dialTimeout: options.callTimeoutMs,
    // A hung member (paused, or cut off without a reset) leaves a watch silent, not broken: a
    // ping unanswered within 2 s breaks it. 5 s is the most often etcd accepts pings by default.
    grpcOptions: { 'grpc.keepalive_time_ms': 5000, 'grpc.keepalive_timeout_ms': 2000, 'grpc.keepalive_permit_without_calls': 1 },
    // gRPC compares a deadline with the wall clock: Date.now, not an injected clock.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + options.callTimeoutMs }),
    faultHandling: {
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: HOST_PAUSE_MS, breaker: new ConsecutiveBreaker(1) }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: options.endpoints.length }),
      // etcd3 takes the first delay from `.next()`: 50 here makes the first wait 100 ms.
      watchBackoff: doubling(50, options.maxReconnectMs),
    },
  });
}

/** Waits of `ms`, doubling to `maxMs`: a process retries at most every `maxMs`, a light load for etcd even from hundreds of processes. */
function doubling(ms: number, maxMs: number): IBackoff<unknown> {
  return { duration: ms, next: () => doubling(Math.min(ms * 2, maxMs), maxMs) };
}
