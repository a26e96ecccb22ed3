import { randomUUID } from 'node:crypto';
import { InvalidOptionError } from './errors.js';
import type { InvalidationBus } from './invalidation-bus.js';
import { Listeners } from './internal/listeners.js';

/**
 * The part of a redis connection (an ioredis `Redis`, say) that publishes.
 *
 * @example
 * const publisher: RedisPublisher = new Redis(6379);
 */
export interface RedisPublisher {
  publish(channel: string, message: string): Promise<unknown>;
}

/**
 * The part of a redis connection in subscriber mode that the bus needs. A connection that
 * subscribes can do nothing else, so it must be a separate one (ioredis: `redis.duplicate()`).
 *
 * @example
 * const subscriber: RedisSubscriber = new Redis(6379);
 */
export interface RedisSubscriber {
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  off(event: 'message', listener: (channel: string, message: string) => void): unknown;
}

/**
 * Options of {@link RedisInvalidationBus.create}.
 *
 * @example
 * const options: RedisInvalidationBusOptions = { publisher, subscriber, channel: 'app:l1' };
 */
export interface RedisInvalidationBusOptions {
  readonly publisher: RedisPublisher;
  readonly subscriber: RedisSubscriber;
  /** Default `'shardcache:invalidate'`. Every process sharing the cache must use the same one. */
  readonly channel?: string;
}

/**
 * An {@link InvalidationBus} over redis pub/sub. Pub/sub is per server (not sharded), so every
 * process must connect its publisher and subscriber to the same redis server. The connections
 * are the caller's: `close()` unsubscribes but does not disconnect them.
 *
 * @example
 * const publisher = new Redis(6379), subscriber = publisher.duplicate();
 * const bus = await RedisInvalidationBus.create({ publisher, subscriber });
 * const l1 = new L1Cache(client, { bus, ttlMs: 5000 });
 */
export class RedisInvalidationBus implements InvalidationBus {
  readonly #publisher: RedisPublisher;
  readonly #subscriber: RedisSubscriber;
  readonly #channel: string;
  readonly #id = randomUUID();
  readonly #listeners = new Listeners<readonly string[]>();
  readonly #onMessage = (channel: string, message: string): void => {
    if (channel !== this.#channel) return;
    const keys = parseMessage(message, this.#id);
    if (keys !== undefined && keys.length > 0) this.#listeners.emit(keys);
  };
  #closed = false;

  private constructor(options: RedisInvalidationBusOptions) {
    if (typeof options.publisher?.publish !== 'function') throw new InvalidOptionError('publisher', 'expected a redis connection with publish()');
    if (typeof options.subscriber?.subscribe !== 'function' || typeof options.subscriber.on !== 'function') {
      throw new InvalidOptionError('subscriber', 'expected a redis connection with subscribe() and on()');
    }
    if (options.channel !== undefined && (typeof options.channel !== 'string' || options.channel === '')) {
      throw new InvalidOptionError('channel', 'expected a non-empty string');
    }
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#channel = options.channel ?? 'shardcache:invalidate';
  }

  /** Subscribes, and resolves once redis confirmed the subscription. */
  static async create(options: RedisInvalidationBusOptions): Promise<RedisInvalidationBus> {
    const bus = new RedisInvalidationBus(options);
    bus.#subscriber.on('message', bus.#onMessage);
    await bus.#subscriber.subscribe(bus.#channel);
    return bus;
  }

  async publish(keys: readonly string[]): Promise<void> {
    if (this.#closed || keys.length === 0) return;
    await this.#publisher.publish(this.#channel, JSON.stringify({ s: this.#id, k: keys }));
  }

  subscribe(listener: (keys: readonly string[]) => void): () => void {
    return this.#listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriber.off('message', this.#onMessage);
    await this.#subscriber.unsubscribe(this.#channel).catch(() => undefined);
  }
}

/** Narrows a message from the channel (anyone may publish there); undefined when ours or junk. */
function parseMessage(message: string, ownId: string): readonly string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('k' in parsed) || !Array.isArray(parsed.k)) return undefined;
  if ('s' in parsed && parsed.s === ownId) return undefined;
  return parsed.k.filter((key: unknown): key is string => typeof key === 'string');
}
