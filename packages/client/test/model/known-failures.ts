import type { ModelCase } from './check-model.js';

/**
 * Failures the model checker found, each with the seed that found it and its shrunk case. An
 * open one is narrowed out of the main search (a `Scope` flag) and runs as an `it.fails` case,
 * so the suite stays green; once fixed, its case is an ordinary regression test and its flag is
 * back on.
 */
export interface KnownFailure {
  readonly name: string;
  readonly seed: number;
  /** The issue that fixes it. */
  readonly issue: string;
  readonly fixed: boolean;
  readonly case: ModelCase;
}

const fleet = { nodes: 3, ring: 'ketama', failover: 'next', backend: 'memcached', seed: 0 } as const;

export const FOUND_FAILURES: readonly KnownFailure[] = [
  {
    name: 'two incr of a text value eject a healthy node (a request error counts as a node failure)',
    seed: -1191366168,
    issue: 'failure semantics (1), item 1',
    fixed: true,
    case: {
      config: fleet,
      steps: [
        { op: 'set', key: 'k0', large: false },
        { op: 'incr', key: 'k0', delta: 0 },
        { op: 'incr', key: 'k0', delta: 0 },
      ],
    },
  },
  {
    name: 'a jump ring cannot remove a middle node: the call that ejects it never settles, and an unhandled rejection',
    seed: -1565648251,
    issue: 'failure semantics (1), item 3',
    fixed: true,
    case: {
      config: { ...fleet, ring: 'jump' },
      steps: [
        { op: 'fault', node: 0, fault: { kind: 'refuse' } },
        { op: 'incr', key: 'n0', delta: 0 },
        { op: 'incr', key: 'n0', delta: 0 },
      ],
    },
  },
  {
    name: 'a node:ejected listener that throws leaves the call that ejected the node unsettled, and an unhandled rejection',
    seed: 533710017,
    issue: 'failure semantics (1), item 3',
    fixed: true,
    case: {
      config: fleet,
      steps: [
        { op: 'listen', event: 'node:ejected', throws: true },
        { op: 'fault', node: 0, fault: { kind: 'refuse' } },
        { op: 'incr', key: 'n1', delta: 0 },
        { op: 'incr', key: 'n0', delta: 0 },
      ],
    },
  },
  {
    name: 'under rebuild, a modula ring moves keys between surviving nodes on each ejection, and an older copy left on one is served',
    seed: -88067147,
    issue: 'not filed: the rejoin guard assumes only the ejected node\'s keys move (see the closing note)',
    fixed: false,
    case: {
      config: { ...fleet, nodes: 4, ring: 'modula', failover: 'rebuild' },
      steps: [
        { op: 'join', migrate: false },
        { op: 'join', migrate: false },
        { op: 'set', key: 'k0', large: false },
        { op: 'fault', node: 0, fault: { kind: 'refuse' } },
        { op: 'fault', node: 3, fault: { kind: 'refuse' } },
        { op: 'set', key: 'k0', large: false },
        { op: 'cas', key: 'k0', fresh: false },
        { op: 'setMany', keys: ['k0'] },
        { op: 'incr', key: 'n0', delta: 0 },
        { op: 'getMany', keys: ['n0', 'k0'] },
        { op: 'getMany', keys: ['k0'] },
      ],
    },
  },
  {
    name: 'copies a migration made for a change that was never applied stay at their destinations, and are served once routing reaches them',
    seed: 20261207,
    issue: 'fixed in session 6: a migration that fails takes back the copies it made (migrate.ts `discard`; the nemesis found it on redis too, 151 stale reads)',
    fixed: true,
    case: {
      config: { ...fleet, ring: 'rendezvous' },
      steps: [
        { op: 'setMany', keys: ['k4'] },
        { op: 'fault', node: 0, fault: { kind: 'refuse' } },
        { op: 'leave', node: 4, migrate: true },
        { op: 'join', migrate: false },
        { op: 'deleteMany', keys: ['k4', 'k0'] },
        { op: 'fault', node: 5, fault: { kind: 'refuse' } },
        { op: 'getMany', keys: ['k4', 'k0'] },
        { op: 'get', key: 'k4' },
        { op: 'getMany', keys: ['k4'] },
      ],
    },
  },
  {
    name: 'after a join and three leaves in one tick, a read returns a value older than an acknowledged write (only planned changes; not yet analysed)',
    seed: 337901309,
    issue: 'not filed: found by a random search (MODEL_SEED=random, run 1,260 of 6,000), outside the fixed 2,000 cases',
    fixed: false,
    case: {
      config: fleet,
      steps: [
        { op: 'fault', node: 0, fault: { kind: 'hang', applies: false } },
        { op: 'setMany', keys: ['n1', 'k1'] },
        { op: 'join', migrate: false },
        { op: 'advance', ms: 250 },
        { op: 'advance', ms: 250 },
        { op: 'set', key: 'k1', large: false },
        { op: 'leave', node: 2, migrate: false },
        { op: 'leave', node: 0, migrate: false },
        { op: 'leave', node: 1, migrate: false },
        { op: 'weigh', node: 0, weight: 1, migrate: false },
        { op: 'get', key: 'k1' },
      ],
    },
  },
];
