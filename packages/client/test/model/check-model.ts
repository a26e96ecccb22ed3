import fc from 'fast-check';
import type { Violation } from './history.js';
import type { FailoverPolicy } from '../../src/index.js';
import { ModelSystem, RINGS, type ModelConfig, type RingName } from './model-system.js';
import { StepCommand, stepArbitrary, type Scope, type Step } from './steps.js';

export interface ModelCase {
  readonly config: ModelConfig;
  readonly steps: readonly Step[];
}

export interface RunResult {
  readonly violations: readonly Violation[];
  readonly trace: readonly string[];
}

/** Runs the steps once through fast-check's model runner, then the end-of-run checks. */
export async function runSteps(config: ModelConfig, steps: readonly Step[]): Promise<RunResult> {
  const system = new ModelSystem(config);
  try {
    await fc.asyncModelRun(() => ({ model: system, real: system }), steps.map((step, index) => new StepCommand(step, index)));
    await system.finish();
  } finally {
    await system.dispose();
  }
  return { violations: system.violations, trace: system.trace };
}

/**
 * Every invariant of one case, including "one behaviour whoever listens": unless the case is
 * observed already, the same steps run again with an `error` listener and a diagnostics
 * subscriber attached, and every call must end the same way and every step leave the same
 * nodes ejected.
 */
export async function checkCase({ config, steps }: ModelCase, sameWhoeverListens = true): Promise<readonly Violation[]> {
  const plain = await runSteps(config, steps);
  if (plain.violations.length > 0 || config.observed === true || !sameWhoeverListens || !compared(config)) return plain.violations;
  const observed = await runSteps({ ...config, observed: true }, steps);
  if (observed.violations.length > 0) return observed.violations;
  const seen = new Set(observed.trace);
  const heard = new Set(plain.trace);
  const onlyPlain = plain.trace.filter((line) => !seen.has(line));
  const onlyObserved = observed.trace.filter((line) => !heard.has(line));
  if (onlyPlain.length === 0 && onlyObserved.length === 0) return [];
  return [{ invariant: 'listener dependence', detail: `without listeners: ${onlyPlain.slice(0, 3).join('; ')} | with an error listener and a subscriber: ${onlyObserved.slice(0, 3).join('; ')}` }];
}

/**
 * Which cases run a second time, heard: one in six, chosen by the case's own seed (each run
 * costs as much as the case itself, and `npm test` has 60 s for the checker; the client suite's
 * `client-observed` project covers the rest of the calls heard).
 */
function compared(config: ModelConfig): boolean {
  return config.seed % 6 === 0;
}

/** Rings where an ejection under `rebuild` moves keys between nodes that stay. */
const MOVING_SURVIVORS: readonly RingName[] = ['modula', 'maglev'];

/** The generated cases: a fleet and its settings, then 50-200 steps. */
export function modelCase(scope: Scope): fc.Arbitrary<ModelCase> {
  const rings = RINGS.filter((ring) => scope.jump || ring !== 'jump');
  return fc
    .record({
      config: fc.record({
        nodes: fc.integer({ min: 3, max: 5 }),
        ring: fc.constantFrom(...rings),
        failover: fc.constantFrom<FailoverPolicy>('next', 'rebuild', 'fail'),
        backend: fc.constantFrom('memcached', 'redis'),
        seed: fc.nat(),
      }),
      steps: fc.array(stepArbitrary(scope), { minLength: 50, maxLength: 200 }),
    })
    .map(({ config, steps }) => {
      // The client refuses `rebuild` over jump (it cannot remove a middle node): tested on its own.
      const refused = config.failover === 'rebuild' && config.ring === 'jump';
      const narrowed = !scope.rebuildMovingSurvivors && config.failover === 'rebuild' && MOVING_SURVIVORS.includes(config.ring);
      return { config: refused || narrowed ? { ...config, failover: 'next' as const } : config, steps };
    });
}

export function describeViolations(violations: readonly Violation[]): string {
  return violations
    .slice(0, 5)
    .map((violation) => `${violation.invariant}: ${violation.detail}`)
    .join('\n');
}

/** Throws with the violations, for fast-check to shrink on and report. */
export async function assertCase(modelCase: ModelCase, sameWhoeverListens = true): Promise<void> {
  const violations = await checkCase(modelCase, sameWhoeverListens);
  if (violations.length > 0) throw new Error(describeViolations(violations));
}

/** The first invariant a case breaks, or undefined. */
export async function firstViolation(modelCase: ModelCase): Promise<Violation['invariant'] | undefined> {
  return (await checkCase(modelCase))[0]?.invariant;
}

/**
 * Shrinks a failing case below fast-check's 50-step floor: drops chunks of steps, then single
 * steps, while the case still breaks the same invariant. The result is what a reader replays.
 */
export async function minimize(failing: ModelCase): Promise<ModelCase> {
  const invariant = await firstViolation(failing);
  if (invariant === undefined) return failing;
  let steps = [...failing.steps];
  for (let chunk = Math.max(1, Math.floor(steps.length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < steps.length; ) {
      const candidate = [...steps.slice(0, start), ...steps.slice(start + chunk)];
      if ((await firstViolation({ config: failing.config, steps: candidate })) === invariant) steps = candidate;
      else start += chunk;
    }
  }
  return { config: failing.config, steps };
}
