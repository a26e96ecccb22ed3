import fc from 'fast-check';
import type { ClientEvents } from '../../src/index.js';
import { COUNTER_KEYS, KEYS, REGISTER_KEYS } from './history.js';
import type { Fault } from './model-node.js';
import { TIMEOUT_MS, type ModelSystem } from './model-system.js';

/**
 * One thing that happens to the client: a call of the application's (started, not awaited, so
 * calls overlap), time passing, a fault or its end, an operator's eject or restore, a planned
 * membership change, a listener, a diagnostics subscriber. Plain data, so a shrunk counterexample reads as a list.
 */
export type Step =
  | { readonly op: 'get' | 'gets' | 'delete' | 'touch'; readonly key: string }
  | { readonly op: 'set' | 'add' | 'replace'; readonly key: string; readonly large: boolean }
  | { readonly op: 'cas'; readonly key: string; readonly fresh: boolean }
  | { readonly op: 'incr' | 'decr'; readonly key: string; readonly delta: number }
  | { readonly op: 'getMany' | 'setMany' | 'deleteMany'; readonly keys: readonly string[] }
  | { readonly op: 'advance'; readonly ms: number }
  | { readonly op: 'fault'; readonly node: number; readonly fault: Fault }
  | { readonly op: 'heal'; readonly node: number }
  | { readonly op: 'eject' | 'restore'; readonly node: number }
  | { readonly op: 'join'; readonly migrate: boolean }
  | { readonly op: 'leave'; readonly node: number; readonly migrate: boolean }
  | { readonly op: 'weigh'; readonly node: number; readonly weight: number; readonly migrate: boolean }
  | { readonly op: 'listen'; readonly event: keyof ClientEvents; readonly throws: boolean }
  | { readonly op: 'trace'; readonly on: boolean };

/**
 * What the generated runs may contain. Each `false` narrows the search around a known failure
 * that has its own `it.fails` case, until the fix lands (then the flag goes).
 */
export interface Scope {
  /** Errors about the request: OOM, WRONGTYPE, values over the server's limit, incr of text. */
  readonly requestErrors: boolean;
  /** Listeners that throw. */
  readonly throwingListeners: boolean;
  /** The jump ring (it can remove only its last bucket). */
  readonly jump: boolean;
  /** The `rebuild` policy over rings where an ejection moves keys between surviving nodes (modula, maglev). */
  readonly rebuildMovingSurvivors: boolean;
  /** Each case runs again with an `error` listener and a diagnostics subscriber, and must behave the same. */
  readonly sameWhoeverListens: boolean;
  /** Planned changes with `migrate` first. */
  readonly migrations: boolean;
}

export const FULL_SCOPE: Scope = { requestErrors: true, throwingListeners: true, jump: true, rebuildMovingSurvivors: true, sameWhoeverListens: true, migrations: true };

const node = fc.nat({ max: 7 });

/** Any step, weighted so that most runs see calls, time, faults and a membership change or two. */
export function stepArbitrary(scope: Scope): fc.Arbitrary<Step> {
  const key = fc.constantFrom(...KEYS);
  const registerKey = fc.constantFrom(...REGISTER_KEYS);
  const keys = fc.uniqueArray(key, { minLength: 1, maxLength: 5 });
  const counterKey = scope.requestErrors ? key : fc.constantFrom(...COUNTER_KEYS);
  const large = scope.requestErrors ? fc.nat({ max: 9 }).map((n) => n === 0) : fc.constant(false);
  const nodeFaults: Fault[] = [{ kind: 'refuse' }, { kind: 'drop' }, { kind: 'corrupt' }];
  const fault: fc.Arbitrary<Fault> = fc.oneof(
    fc.constantFrom<Fault>(...nodeFaults, ...(scope.requestErrors ? ([{ kind: 'oom' }, { kind: 'wrongtype' }] as const) : [])),
    fc.record({ kind: fc.constant('hang' as const), applies: fc.boolean() }),
    fc.record({ kind: fc.constant('late' as const), lateMs: fc.integer({ min: 1, max: 3 * TIMEOUT_MS }) }),
  );
  const call: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('get', 'gets', 'delete', 'touch'), key }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('set', 'add', 'replace'), key, large }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('cas' as const), key: registerKey, fresh: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('incr', 'decr'), key: counterKey, delta: fc.integer({ min: 0, max: 5 }) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('getMany', 'setMany', 'deleteMany'), keys }) },
  );
  const migrate = scope.migrations ? fc.boolean() : fc.constant(false);
  const event = fc.constantFrom<keyof ClientEvents>('node:ejected', 'node:restored', 'ring:changed', 'error');
  return fc.oneof(
    { weight: 20, arbitrary: call },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constantFrom(TIMEOUT_MS, 250, 1000)) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('fault' as const), node, fault }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('heal' as const), node }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('eject' as const, 'restore' as const), node }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('join' as const), migrate }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), node, migrate }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('weigh' as const), node, weight: fc.integer({ min: 1, max: 3 }), migrate }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('listen' as const), event, throws: scope.throwingListeners ? fc.boolean() : fc.constant(false) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('trace' as const), on: fc.boolean() }) },
  );
}

/** A step as fast-check's model runner takes it; it prints as the step's data. */
export class StepCommand implements fc.AsyncCommand<ModelSystem, ModelSystem> {
  readonly step: Step;
  readonly index: number;

  constructor(step: Step, index: number) {
    this.step = step;
    this.index = index;
  }

  check(): boolean {
    return true;
  }

  async run(system: ModelSystem): Promise<void> {
    await system.apply(this.step, this.index);
  }

  toString(): string {
    return JSON.stringify(this.step);
  }
}
