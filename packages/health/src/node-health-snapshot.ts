import { InvalidSnapshotError } from './errors.js';
import type { NodeState } from './node-state.js';

/**
 * What `NodeHealth.toJSON()` returns and `NodeHealth.restore()` takes: plain JSON with
 * absolute clock times, so a restored node resumes its ejection where it was.
 *
 * @example
 * const saved = JSON.stringify(health);
 * const again = NodeHealth.restore(JSON.parse(saved), options);
 */
export interface NodeHealthSnapshot {
  readonly version: 1;
  readonly node: string;
  readonly state: NodeState;
  /** When the node entered its state. */
  readonly since: number;
  /** When an ejection ends (state `ejected` only), else null. */
  readonly retryAt: number | null;
  readonly ejectionStreak: number;
  readonly lastRestoredAt: number | null;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  readonly suspectCauses: readonly ('failures' | 'latency')[];
  readonly lastErrorCode: string | null;
}

const STATES: readonly string[] = ['up', 'suspect', 'ejected', 'probing'];
const CAUSES: readonly string[] = ['failures', 'latency'];

/** Checks a value from outside (a file, a message) field by field. */
export function parseNodeHealthSnapshot(value: unknown): NodeHealthSnapshot {
  if (typeof value !== 'object' || value === null) throw new InvalidSnapshotError('(root)', 'expected an object');
  const record = value as Readonly<Record<string, unknown>>;
  if (record['version'] !== 1) throw new InvalidSnapshotError('version', `expected 1, got ${String(record['version'])}`);
  const node = record['node'];
  if (typeof node !== 'string' || node.length === 0) throw new InvalidSnapshotError('node', 'expected a non-empty string');
  const state = record['state'];
  if (typeof state !== 'string' || !isState(state)) throw new InvalidSnapshotError('state', `expected one of ${STATES.join(', ')}`);
  const retryAt = nullableTime(record, 'retryAt');
  if (state === 'ejected' && retryAt === null) throw new InvalidSnapshotError('retryAt', 'an ejected node needs the time its ejection ends');
  const causes = record['suspectCauses'];
  if (!Array.isArray(causes) || !causes.every((cause): cause is 'failures' | 'latency' => typeof cause === 'string' && CAUSES.includes(cause))) {
    throw new InvalidSnapshotError('suspectCauses', `expected an array of ${CAUSES.join(', ')}`);
  }
  const lastErrorCode = record['lastErrorCode'];
  if (lastErrorCode !== null && typeof lastErrorCode !== 'string') throw new InvalidSnapshotError('lastErrorCode', 'expected a string or null');
  return {
    version: 1,
    node,
    state,
    since: count(record, 'since'),
    retryAt,
    ejectionStreak: count(record, 'ejectionStreak'),
    lastRestoredAt: nullableTime(record, 'lastRestoredAt'),
    consecutiveFailures: count(record, 'consecutiveFailures'),
    consecutiveSuccesses: count(record, 'consecutiveSuccesses'),
    suspectCauses: causes,
    lastErrorCode,
  };
}

function isState(value: string): value is NodeState {
  return STATES.includes(value);
}

function count(record: Readonly<Record<string, unknown>>, field: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidSnapshotError(field, 'expected a finite number >= 0');
  return value;
}

function nullableTime(record: Readonly<Record<string, unknown>>, field: string): number | null {
  return record[field] === null ? null : count(record, field);
}
