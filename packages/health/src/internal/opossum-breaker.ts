import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { BreakerOpenError } from '../errors.js';

/** The breaker states, in opossum's words. */
export type BreakerState = 'closed' | 'open' | 'halfOpen';

/** What `NodeHealth` needs from a circuit breaker. Only this file knows opossum. */
export interface Breaker {
  readonly state: BreakerState;
  /** Moves to `state`; a no-op when already there. */
  moveTo(state: BreakerState): void;
  /**
   * Runs `action` as a call through the breaker: at once when closed, as the single trial when
   * half-open, never when open (rejects with ERR_BREAKER_OPEN).
   */
  trial(action: () => Promise<void>): Promise<void>;
  destroy(): void;
}

// The part of opossum 9 we use, typed here because @types/opossum lags opossum.
interface OpossumOptions {
  readonly name: string;
  readonly timeout: false;
  readonly resetTimeout: number;
  readonly volumeThreshold: number;
  readonly rollingCountBuckets: number;
  readonly rollingPercentilesEnabled: boolean;
  readonly enableSnapshots: boolean;
  readonly rotateBucketController: EventEmitter;
  readonly state?: { readonly closed: boolean; readonly halfOpen: boolean };
}
interface OpossumBreaker {
  readonly opened: boolean;
  readonly halfOpen: boolean;
  fire(action: () => Promise<void>): Promise<unknown>;
  open(): void;
  close(): void;
  shutdown(): void;
  removeAllListeners(event: 'open'): void;
}
type OpossumConstructor = (new (action: (run: () => Promise<void>) => Promise<void>, options: OpossumOptions) => OpossumBreaker) & {
  isOurError(error: unknown): boolean;
};

function isOpossumConstructor(value: unknown): value is OpossumConstructor {
  return typeof value === 'function' && 'isOurError' in value && typeof value.isOurError === 'function';
}

// opossum is CommonJS (`module.exports = CircuitBreaker`); loading it through require keeps its
// type as `unknown` until the guard above has looked at it.
const loaded: unknown = createRequire(import.meta.url)('opossum');
if (!isOpossumConstructor(loaded)) throw new TypeError('opossum did not export its CircuitBreaker class');
const CircuitBreaker: OpossumConstructor = loaded;

// opossum's own reset timer would move open -> half-open on the global clock; ours runs on the
// injected clock. opossum starts that timer from its own 'open' listener, which `build` removes;
// the delay is parked at the longest setTimeout allows as well, should a later opossum start it
// from elsewhere.
const PARKED_RESET_TIMEOUT = 2 ** 31 - 1;

const runAction = (run: () => Promise<void>): Promise<void> => run();

/**
 * A breaker backed by opossum 9. opossum never sees a request on the hot path (its `fire()`
 * costs about a microsecond): it holds the state, runs probes as trials (one at a time while
 * half-open, re-opening on a failed trial) and is told about transitions NodeHealth decides.
 * Open and half-open are entered by building an opossum breaker from a state snapshot, the
 * mechanism opossum itself offers for restoring `toJSON()`; transitions are rare, so this costs
 * nothing that matters.
 */
export function createOpossumBreaker(node: string, initial: BreakerState): Breaker {
  // Without a controller opossum starts two interval timers per breaker; with one that we rotate
  // after every trial it starts none, and its single stats bucket stays small.
  const rotation = new EventEmitter();
  let breaker = build(node, initial, rotation);
  let state = initial;

  return {
    get state() {
      return state;
    },
    moveTo(next) {
      if (next === state) return;
      state = next;
      if (next === 'closed') {
        breaker.close();
      } else {
        breaker.shutdown();
        breaker = build(node, next, rotation);
      }
    },
    async trial(action) {
      try {
        await breaker.fire(action);
      } catch (error) {
        if (isOpossumRejection(error)) throw new BreakerOpenError(node, undefined);
        throw error;
      } finally {
        rotation.emit('rotate');
        // A trial moves opossum itself (half-open -> closed or open): mirror it.
        state = breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed';
      }
    },
    destroy() {
      breaker.shutdown();
    },
  };
}

function build(node: string, state: BreakerState, rotation: EventEmitter): OpossumBreaker {
  const breaker = new CircuitBreaker(runAction, {
    name: node,
    // Deadlines are ours (probes and retry attempts carry their own).
    timeout: false,
    resetTimeout: PARKED_RESET_TIMEOUT,
    // opossum must never open on its own statistics: NodeHealth decides from its own window.
    volumeThreshold: Number.MAX_SAFE_INTEGER,
    rollingCountBuckets: 1,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    rotateBucketController: rotation,
    // Built closed or half-open, never open: opossum would open it in its constructor, before
    // its timer-starting 'open' listener can be removed.
    ...(state === 'halfOpen' ? { state: { closed: false, halfOpen: true } } : {}),
  });
  // A real timer (even an unref'd, parked one) is one no injected clock drives, left pending in
  // a process on a manual clock. This also covers a failed half-open trial, which re-opens
  // opossum itself. Its other 'open' listener only counts opens in stats nothing reads.
  breaker.removeAllListeners('open');
  if (state === 'open') breaker.open();
  return breaker;
}

// opossum marks its own rejections (open: EOPENBREAKER, after shutdown: ESHUTDOWN); with its
// timeout off and no semaphore limit, those are the only errors it makes.
function isOpossumRejection(error: unknown): boolean {
  return typeof error === 'object' && error !== null && CircuitBreaker.isOurError(error);
}
