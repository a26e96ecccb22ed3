// Judges a nemesis run's history afterwards (Jepsen's way: record everything, decide later).
// Values are `<key>@<version>`; each key has one writer that writes it one call at a time, so
// versions only grow. The rules, each in one place:
// - wrong: a value that is not `<key>@<version>` of the key read, or whose version no `set` of
//   that key had begun by the time the read completed; a value over the server's limit stored;
// - stale: a read that returns a version older than one acknowledged (a set or a delete that
//   succeeded) before the read began. A miss is never stale: a cache may lose anything. Told
//   apart, as the client documents it (README, "Live membership"): planned changes move no
//   data, so a node a change took a key from keeps its copy, and a read that an ejection or a
//   later change sends back there reads it. Such a read (the node the key left, a version it
//   could have held then) is a `leftover`, reported beside the verdict and not counted;
// - late: a call settled after its deadline plus the worst event-loop stall of the run plus
//   10 ms, or never settled; a planned change that never settled;
// - unhandled: unhandled rejections and uncaught exceptions.
import type { CallEntry, History } from './history.js';

/** One violation: when, and what, in words a reader can act on. */
export interface Finding {
  readonly atMs: number;
  readonly what: string;
}

export interface Verdict {
  readonly ops: number;
  readonly wrong: readonly Finding[];
  readonly stale: readonly Finding[];
  /** Stale reads of a copy a planned change left behind (documented; not counted). */
  readonly leftovers: readonly Finding[];
  readonly late: readonly Finding[];
  readonly unhandled: readonly string[];
  readonly leakedSockets: number;
  /** The bound a call's duration is held to: deadline + worst stall + 10 ms. */
  readonly lateBoundMs: number;
  /** Failed calls by code (request errors on purpose included). */
  readonly errorsByCode: Readonly<Record<string, number>>;
}

/** The slack the issue allows past deadline and stall: the turn that hands the failure back. */
export const LATE_SLACK_MS = 10;

export function checkHistory(history: History): Verdict {
  const lateBoundMs = history.timeoutMs + history.worstStallMs + LATE_SLACK_MS;
  const writes = writesByKey(history.calls);
  const left = leftBehind(history);
  const wrong: Finding[] = [];
  const stale: Finding[] = [];
  const leftovers: Finding[] = [];
  const late: Finding[] = [];
  const errorsByCode: Record<string, number> = {};
  for (const call of history.calls) {
    if (call.errorCode !== undefined) errorsByCode[call.errorCode] = (errorsByCode[call.errorCode] ?? 0) + 1;
    const duration = call.completeMs === undefined ? undefined : call.completeMs - call.invokeMs;
    if (duration === undefined) late.push({ atMs: call.invokeMs, what: `${describe(call)} never settled` });
    else if (duration > lateBoundMs) late.push({ atMs: call.invokeMs, what: `${describe(call)} settled after ${ms(duration)} ms (bound ${ms(lateBoundMs)} ms)${spanned(history.pauses, call.invokeMs, call.invokeMs + duration)}` });
    if (call.kind === 'oversize' && call.completeMs !== undefined && call.errorCode === undefined) wrong.push({ atMs: call.invokeMs, what: `${describe(call)} stored a value over the server's limit` });
    if ((call.kind !== 'get' && call.kind !== 'getMany') || call.values === undefined || call.completeMs === undefined) continue;
    const completeMs = call.completeMs;
    call.keys.forEach((key, index) => {
      const value = call.values?.[index];
      if (value === undefined || call.failedKeys.includes(key)) return;
      const log = writes.get(key);
      const version = versionIn(key, value);
      if (version === undefined || log === undefined || !log.setBegunBy(version, completeMs)) {
        wrong.push({ atMs: call.invokeMs, what: `${describe(call)} read ${JSON.stringify(value)} for ${key}: no set of that version had begun` });
        return;
      }
      const acknowledged = log.acknowledgedBefore(call.invokeMs);
      if (acknowledged !== undefined && version < acknowledged.version) {
        const node = call.nodes[index];
        const finding = { atMs: call.invokeMs, what: `${describe(call)} read ${key}@${version}${node === undefined || call.keys.length === 1 ? '' : ` on ${node}`}; ${acknowledged.kind} of version ${acknowledged.version}${acknowledged.node === undefined ? '' : ` (sent to ${acknowledged.node})`} was acknowledged at ${ms(acknowledged.completeMs)} ms` };
        if ((left.get(key) ?? []).some((move) => move.from === node && move.atMs <= call.invokeMs && version <= log.lastSetBegunBy(move.atMs))) leftovers.push(finding);
        else stale.push(finding);
      }
    });
  }
  for (const change of history.changes) {
    if (change.completeMs === undefined) late.push({ atMs: change.invokeMs, what: `planned change "${change.description}" never settled` });
  }
  return { ops: history.calls.length, wrong, stale, leftovers, late, unhandled: history.unhandled, leakedSockets: history.leakedSockets, lateBoundMs, errorsByCode };
}

/** The verdict's closing line, exactly as the issue states it. */
export function summaryLine(verdict: Verdict): string {
  return `nemesis: ${verdict.ops} ops, ${verdict.wrong.length} wrong, ${verdict.stale.length} stale, ${verdict.late.length} late, ${verdict.unhandled.length} unhandled`;
}

/** True when the run found nothing: no wrong, stale or late call, nothing unhandled, no leaked socket. */
export function isClean(verdict: Verdict): boolean {
  return verdict.wrong.length + verdict.stale.length + verdict.late.length + verdict.unhandled.length + verdict.leakedSockets === 0;
}

/** The acknowledged writes of one key and the versions its sets began with. */
class KeyWrites {
  /** Successful sets and deletes by completion time; versions grow along it (one writer, one call at a time). */
  readonly acknowledged: { readonly version: number; readonly kind: 'set' | 'delete'; readonly completeMs: number; readonly node: string | undefined }[] = [];
  /** version -> when the set that wrote it began. */
  readonly setBegan = new Map<number, number>();

  /** The newest version a set had begun writing by `atMs` (0: none); sets begin in version order. */
  lastSetBegunBy(atMs: number): number {
    let last = 0;
    for (const [version, began] of this.setBegan) {
      if (began > atMs) break;
      last = version;
    }
    return last;
  }

  setBegunBy(version: number, atMs: number): boolean {
    const began = this.setBegan.get(version);
    return began !== undefined && began <= atMs;
  }

  /** The newest write acknowledged strictly before `atMs` (binary search). */
  acknowledgedBefore(atMs: number): KeyWrites['acknowledged'][number] | undefined {
    let low = 0;
    let high = this.acknowledged.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.acknowledged[mid]?.completeMs ?? Infinity) < atMs) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? undefined : this.acknowledged[low - 1];
  }
}

function writesByKey(calls: readonly CallEntry[]): Map<string, KeyWrites> {
  const byKey = new Map<string, KeyWrites>();
  const of = (key: string): KeyWrites => {
    let log = byKey.get(key);
    if (log === undefined) byKey.set(key, (log = new KeyWrites()));
    return log;
  };
  for (const call of calls) {
    const key = call.keys[0];
    if ((call.kind !== 'set' && call.kind !== 'delete') || key === undefined || call.version === undefined) continue;
    const log = of(key);
    if (call.kind === 'set') log.setBegan.set(call.version, call.invokeMs);
    if (call.errorCode === undefined && call.completeMs !== undefined) log.acknowledged.push({ version: call.version, kind: call.kind, completeMs: call.completeMs, node: call.nodes[0] });
  }
  for (const log of byKey.values()) {
    log.acknowledged.sort((a, b) => a.completeMs - b.completeMs);
  }
  return byKey;
}

/** Per key, the planned changes that moved it: the node it left, and when the change was applied. */
function leftBehind(history: History): Map<string, { readonly from: string; readonly atMs: number }[]> {
  const byKey = new Map<string, { readonly from: string; readonly atMs: number }[]>();
  for (const change of history.changes) {
    const atMs = change.completeMs;
    if (atMs === undefined) continue;
    for (const { key, from } of change.moved) byKey.set(key, [...(byKey.get(key) ?? []), { from, atMs }]);
  }
  return byKey;
}

/** The version in `<key>@<version>`, or undefined when the value is not of that key. */
function versionIn(key: string, value: string): number | undefined {
  if (!value.startsWith(`${key}@`)) return undefined;
  const text = value.slice(key.length + 1);
  return /^[1-9]\d*$/.test(text) ? Number(text) : undefined;
}

function describe(call: CallEntry): string {
  const keys = call.keys.length === 1 ? call.keys[0] : `${call.keys.length} keys`;
  const version = call.version === undefined ? '' : ` v${call.version}`;
  const node = call.keys.length === 1 && call.nodes[0] !== undefined ? ` on ${call.nodes[0]}` : '';
  return `${call.kind} ${keys}${version}${node} at ${ms(call.invokeMs)} ms`;
}

const ms = (value: number): number => Math.round(value * 10) / 10;

/** The pauses a call from `fromMs` to `toMs` spanned, for its report ('' when none is known). */
function spanned(pauses: History['pauses'], fromMs: number, toMs: number): string {
  const within = (pauses ?? []).filter((pause) => pause.toMs > fromMs && pause.fromMs < toMs);
  if (within.length === 0) return '';
  return `; spanned ${within.map((pause) => `${pause.kind} ${ms(pause.toMs - pause.fromMs)} ms at ${ms(pause.fromMs)}`).join(', ')}`;
}
