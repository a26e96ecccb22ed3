// The model checker: fast-check searches calls, faults, time and membership changes against a
// ShardedClient over in-memory nodes on a virtual clock (test/model/), judging every invariant
// after every step. A run is a pure function of its seed. Replay a failure with the line it prints:
//   MODEL_SEED=<seed> MODEL_PATH=<path> npx vitest run --project client test/model.test.ts
// Search new cases with MODEL_SEED=random (and MODEL_RUNS=<n>).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCase, checkCase, describeViolations, minimize, modelCase, type ModelCase } from './model/check-model.js';
import type { Plant } from './model/model-system.js';
import type { Scope } from './model/steps.js';
import { FOUND_FAILURES } from './model/known-failures.js';

const { MODEL_RUNS, MODEL_SEED, MODEL_PATH } = process.env;
const RUNS = Number(MODEL_RUNS ?? 2000);
// `npm test` searches the same 2,000 cases every time (a suite must not pass or fail by luck).
const seed = MODEL_SEED === 'random' ? Date.now() ^ (Math.random() * 2 ** 31) : Number(MODEL_SEED ?? 20261207);
const replay: { seed: number; path?: string } = { seed, ...(MODEL_PATH === undefined ? {} : { path: MODEL_PATH }) };

// Each known failure is narrowed out of the search here and kept as an `it.fails` case below
// (known-failures.ts), until the issue that fixes it turns its flag back on.
const scope: Scope = { requestErrors: true, throwingListeners: true, jump: true, rebuildMovingSurvivors: false, sameWhoeverListens: true, migrations: false };

function replayLine(details: { seed: number; counterexamplePath: string | null }): string {
  return `MODEL_SEED=${details.seed} MODEL_PATH=${details.counterexamplePath ?? ''} npx vitest run --project client test/model.test.ts`;
}

describe('the client under the model checker', () => {
  it(`keeps every invariant over ${RUNS} runs of 50-200 steps`, { timeout: 300_000 }, async () => {
    const details = await fc.check(
      fc.asyncProperty(modelCase(scope), (run) => assertCase(run, scope.sameWhoeverListens)),
      { numRuns: RUNS, ...replay },
    );
    if (details.failed) {
      const [counterexample] = details.counterexample ?? [];
      const minimal = counterexample === undefined ? undefined : await minimize(counterexample);
      const violations = minimal === undefined ? [] : await checkCase(minimal);
      throw new Error(
        [`seed ${details.seed}, ${details.numRuns} runs`, `replay: ${replayLine(details)}`, describeViolations(violations), `minimal case: ${JSON.stringify(minimal)}`].join('\n'),
      );
    }
    expect(details.numRuns).toBe(MODEL_PATH === undefined ? RUNS : details.numRuns);
  });

  describe('failures the search found (open ones as `it.fails`, fixed ones as regressions)', () => {
    for (const found of FOUND_FAILURES) {
      (found.fixed ? it : it.fails)(`${found.fixed ? 'fixed' : 'open'}: ${found.name} (found with seed ${found.seed})`, async () => {
        await assertCase(found.case);
      });
    }
  });

  // Each invariant is shown to catch what it checks: a bug planted in a node or in the client's
  // setup, searched for with the same generator (the main property above is the control run).
  describe('catches a planted bug', () => {
    const planted: readonly (readonly [Plant, string, Scope])[] = [
      ['wrong-value', 'wrong value', scope],
      ['ignore-deletes', 'stale read', scope],
      ['never-settles', 'unsettled call', scope],
      ['eject-on-request-error', 'ejection without node failure', { ...scope, requestErrors: true }],
    ];
    it.each(planted)('%s, as a %s', { timeout: 120_000 }, async (plant, invariant, plantScope) => {
      const details = await fc.check(
        fc.asyncProperty(modelCase(plantScope), (run) => assertCase({ ...run, config: { ...run.config, plant } }, false)),
        { numRuns: 500, seed: 20261207, endOnFailure: true },
      );
      expect(details.failed).toBe(true);
      const [found] = details.counterexample ?? [];
      const violations = await checkCase({ ...(found as ModelCase), config: { ...(found as ModelCase).config, plant } }, false);
      expect(violations.map((violation) => violation.invariant)).toContain(invariant);
    });

    it('one behaviour whoever listens: a planted difference between the two runs is caught', async () => {
      // The listener-dependence check compares two traces: a client whose touch answers
      // differently once listeners are attached must be reported.
      const base: ModelCase = { config: { nodes: 3, ring: 'ketama', failover: 'next', backend: 'memcached', seed: 6, plant: 'listener-dependent' }, steps: [{ op: 'set', key: 'k0', large: false }, { op: 'touch', key: 'k0' }] };
      const violations = await checkCase(base);
      expect(violations.map((violation) => violation.invariant)).toEqual(['listener dependence']);
    });
  });
});
