// The nemesis checker on histories worked out by hand: each rule catches what it names, and
// lets through what it must (a miss, a failed write that was applied anyway, a read racing a write).
import { describe, expect, it } from 'vitest';
import { checkHistory, isClean, summaryLine } from './check-history.js';
import type { CallEntry, History } from './history.js';

const call = (entry: Partial<CallEntry> & Pick<CallEntry, 'kind' | 'keys' | 'invokeMs'>): CallEntry => ({
  version: undefined,
  nodes: entry.keys.map(() => undefined),
  completeMs: entry.invokeMs + 1,
  errorCode: undefined,
  values: undefined,
  failedKeys: [],
  ...entry,
});
const set = (key: string, version: number, invokeMs: number, completeMs = invokeMs + 1, errorCode?: string): CallEntry => call({ kind: 'set', keys: [key], version, invokeMs, completeMs, errorCode });
const get = (key: string, value: string | undefined, invokeMs: number, completeMs = invokeMs + 1): CallEntry => call({ kind: 'get', keys: [key], invokeMs, completeMs, values: [value] });

function history(calls: readonly CallEntry[], overrides: Partial<History> = {}): History {
  return { calls, faults: [], changes: [], events: [], timeoutMs: 100, worstStallMs: 20, unhandled: [], leakedSockets: 0, listenerWarnings: 0, listenerThrows: 0, skippedStarts: 0, ...overrides };
}

describe('checkHistory', () => {
  it('finds nothing in a history of reads that follow their writes', () => {
    const verdict = checkHistory(history([set('k', 1, 0), get('k', 'k@1', 5), set('k', 2, 10), get('k', 'k@2', 20), get('k', undefined, 30)]));
    expect(isClean(verdict)).toBe(true);
    expect(summaryLine(verdict)).toBe('nemesis: 5 ops, 0 wrong, 0 stale, 0 late, 0 unhandled');
  });

  it('calls a read stale when it returns a version older than one acknowledged before it began', () => {
    const verdict = checkHistory(history([set('k', 1, 0), set('k', 2, 10, 12), get('k', 'k@1', 20)]));
    expect(verdict.stale).toHaveLength(1);
    expect(verdict.stale[0]?.what).toContain('read k@1; set of version 2 was acknowledged at 12 ms');
  });

  it('does not call a read stale when the newer write was acknowledged only after the read began', () => {
    const verdict = checkHistory(history([set('k', 1, 0), set('k', 2, 10, 30), get('k', 'k@1', 20, 25)]));
    expect(verdict.stale).toEqual([]);
  });

  it('calls a value older than an acknowledged delete stale (a deleted key came back)', () => {
    const verdict = checkHistory(history([set('k', 1, 0), call({ kind: 'delete', keys: ['k'], version: 2, invokeMs: 10 }), get('k', 'k@1', 20)]));
    expect(verdict.stale).toHaveLength(1);
    expect(verdict.stale[0]?.what).toContain('delete of version 2');
  });

  it('tells a copy a planned change left behind (documented) from a stale read', () => {
    // k lived on m-1 (v1, v2); a change at 20 ms moved it to m-4, which took v3. At 40 ms an
    // ejection of m-4 sends the read back to m-1: its v2 is the documented leftover; v1 is
    // older than anything m-1 could have held then only if v2 was begun before the change.
    const onOld = (value: string, invokeMs: number): CallEntry => ({ ...get('k', value, invokeMs), nodes: ['m-1'] });
    const calls = [set('k', 1, 0), set('k', 2, 10), set('k', 3, 25), onOld('k@2', 40), { ...get('k', 'k@2', 45), nodes: ['m-2'] }];
    const changes = [{ description: 'add m-4', invokeMs: 15, completeMs: 20, error: undefined, moved: [{ key: 'k', from: 'm-1' }] }];
    const verdict = checkHistory(history(calls, { changes }));
    expect(verdict.leftovers.map((finding) => finding.what)).toEqual([expect.stringContaining('read k@2; set of version 3')]);
    // The same value from a node the key never left is stale.
    expect(verdict.stale.map((finding) => finding.what)).toEqual([expect.stringContaining('get k on m-2 at 45 ms read k@2')]);
    // A version begun only after the change cannot be a leftover.
    const later = checkHistory(history([set('k', 1, 0), set('k', 2, 22), set('k', 3, 25), onOld('k@2', 40)], { changes }));
    expect(later.stale).toHaveLength(1);
    expect(later.leftovers).toEqual([]);
  });

  it('lets a failed write be read (it may have been applied), and a miss after anything', () => {
    const verdict = checkHistory(history([set('k', 1, 0), set('k', 2, 10, 110, 'ERR_TIMEOUT'), get('k', 'k@2', 120), get('k', undefined, 130)]));
    expect(isClean(verdict)).toBe(true);
  });

  it('calls a value wrong when it is another key\'s, a version never set, or a delete\'s version', () => {
    const verdict = checkHistory(history([
      set('k', 1, 0),
      set('j', 1, 0),
      get('k', 'j@1', 5),
      get('k', 'k@7', 6),
      call({ kind: 'delete', keys: ['k'], version: 2, invokeMs: 7 }),
      get('k', 'k@2', 10),
      get('k', 'garbage', 11),
    ]));
    expect(verdict.wrong.map((finding) => finding.what)).toEqual([
      expect.stringContaining('read "j@1" for k'),
      expect.stringContaining('read "k@7" for k'),
      expect.stringContaining('read "k@2" for k'),
      expect.stringContaining('read "garbage" for k'),
    ]);
  });

  it('calls a version wrong when its set began only after the read completed', () => {
    const verdict = checkHistory(history([set('k', 1, 50), get('k', 'k@1', 10, 20)]));
    expect(verdict.wrong).toHaveLength(1);
  });

  it('judges each key of a multi-get, skipping the keys that failed on their own', () => {
    const many = call({ kind: 'getMany', keys: ['a', 'b', 'c'], invokeMs: 20, values: ['a@1', undefined, 'b@1'], failedKeys: ['b'] });
    const verdict = checkHistory(history([set('a', 1, 0), set('a', 2, 5), set('b', 1, 0), set('c', 1, 0), many]));
    expect(verdict.stale.map((finding) => finding.what)).toEqual([expect.stringContaining('read a@1')]);
    expect(verdict.wrong.map((finding) => finding.what)).toEqual([expect.stringContaining('read "b@1" for c')]);
  });

  it('calls a call late past deadline + worst stall + 10 ms, and one that never settled', () => {
    const verdict = checkHistory(history([get('k', undefined, 0, 130), get('k', undefined, 0, 130.1), call({ kind: 'get', keys: ['k'], invokeMs: 5, completeMs: undefined })], { timeoutMs: 100, worstStallMs: 20 }));
    expect(verdict.lateBoundMs).toBe(130);
    expect(verdict.late.map((finding) => finding.what)).toEqual([expect.stringContaining('settled after 130.1 ms (bound 130 ms)'), expect.stringContaining('never settled')]);
  });

  it('names the stalls and collections a late call spanned, and only those', () => {
    const pauses = [
      { kind: 'stall' as const, fromMs: 10, toMs: 30 },
      { kind: 'gc' as const, fromMs: 40, toMs: 65 },
      { kind: 'stall' as const, fromMs: 200, toMs: 220 },
    ];
    const verdict = checkHistory(history([get('k', undefined, 0, 131)], { timeoutMs: 100, worstStallMs: 20, pauses }));
    expect(verdict.late.map((finding) => finding.what)).toEqual([expect.stringMatching(/settled after 131 ms \(bound 130 ms\); spanned stall 20 ms at 10, gc 25 ms at 40$/)]);
  });

  it('counts a planned change that never settled as late, and reports unhandled rejections and leaked sockets', () => {
    const verdict = checkHistory(history([], { changes: [{ description: 'add memcached-4', invokeMs: 3, completeMs: undefined, error: undefined, moved: [] }], unhandled: ['Error: boom'], leakedSockets: 2 }));
    expect(verdict.late.map((finding) => finding.what)).toEqual(['planned change "add memcached-4" never settled']);
    expect(summaryLine(verdict)).toBe('nemesis: 0 ops, 0 wrong, 0 stale, 1 late, 1 unhandled');
    expect(isClean(checkHistory(history([], { leakedSockets: 1 })))).toBe(false);
  });

  it('calls a stored value over the server\'s limit wrong, and its refusal fine', () => {
    const refused = call({ kind: 'oversize', keys: ['big'], invokeMs: 0, errorCode: 'ERR_VALUE_TOO_LARGE' });
    const stored = call({ kind: 'oversize', keys: ['big'], invokeMs: 5 });
    const verdict = checkHistory(history([refused, stored]));
    expect(verdict.wrong).toHaveLength(1);
    expect(verdict.errorsByCode).toEqual({ ERR_VALUE_TOO_LARGE: 1 });
  });
});
