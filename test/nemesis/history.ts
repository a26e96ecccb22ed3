// What a nemesis run saw, as Jepsen records it: every call's invocation and completion (or
// none), every fault and planned change with its times. Times are ms since the run began. The
// checker (check-history.ts) judges this afterwards; nothing here judges anything.

/** The data calls the workload makes. `incrText` and `oversize` are request errors on purpose. */
export type CallKind = 'get' | 'getMany' | 'set' | 'delete' | 'incrText' | 'oversize';

/** One data call. `completeMs` stays undefined for a call that never settled. */
export interface CallEntry {
  readonly kind: CallKind;
  readonly keys: readonly string[];
  /** For `set` and `delete`: the version the call writes (a delete writes a tombstone of it). */
  readonly version: number | undefined;
  /** Per key, the node the client routed it to when the call began (undefined: none). */
  readonly nodes: readonly (string | undefined)[];
  readonly invokeMs: number;
  readonly completeMs: number | undefined;
  /** The error's `code` (else `UNTYPED`); undefined for a call that succeeded or never settled. */
  readonly errorCode: string | undefined;
  /**
   * For reads that succeeded: per key, what came back (undefined: a miss, or a key of a
   * multi-get that failed: see `failedKeys`). A value that is not a string is kept as its JSON.
   */
  readonly values: readonly (string | undefined)[] | undefined;
  /** Keys of a multi-get that failed on their own (their `values` entry means nothing). */
  readonly failedKeys: readonly string[];
}

/** A fault as the schedule played it. */
export interface FaultEntry {
  readonly node: string;
  readonly description: string;
  readonly appliedMs: number;
  revertedMs: number | undefined;
  error: string | undefined;
}

/** A planned membership change (an operator's add or remove), with or without migration. */
export interface ChangeEntry {
  readonly description: string;
  readonly invokeMs: number;
  completeMs: number | undefined;
  error: string | undefined;
  /** The workload's keys whose planned owner the change moved, and the node they left (which keeps its copy). */
  moved: readonly { readonly key: string; readonly from: string }[];
}

/** What the client announced (a node ejected or restored), for the timeline. */
export interface ClientEvent {
  readonly atMs: number;
  readonly text: string;
}

/** The whole record of one run. */
export interface History {
  readonly calls: readonly CallEntry[];
  readonly faults: readonly FaultEntry[];
  readonly changes: readonly ChangeEntry[];
  readonly events: readonly ClientEvent[];
  /** The client's per-call deadline. */
  readonly timeoutMs: number;
  /** The event loop's longest stall while calls ran (`watchEventLoop`). */
  readonly worstStallMs: number;
  /** Unhandled rejections and uncaught exceptions in the run's process. */
  readonly unhandled: readonly string[];
  /** Connections to the fleet still open after the client closed. */
  readonly leakedSockets: number;
  /** `SHARDCACHE_LISTENER_THREW` warnings (the nemesis's listener throws now and then). */
  readonly listenerWarnings: number;
  /** Listener throws the nemesis made. */
  readonly listenerThrows: number;
  /** Open-loop starts skipped because `concurrency` calls were in flight. */
  readonly skippedStarts: number;
  /**
   * What held the process while calls ran: the event loop's stalls (`watchEventLoop`) and V8's
   * garbage-collection pauses of 20 ms or more, in the calls' time base. A late call's report
   * names those it spanned, so a finding says whether the client or the process was slow.
   */
  readonly pauses?: readonly Pause[];
}

/** A stretch when the process did not run the client's code. */
export interface Pause {
  readonly kind: 'stall' | 'gc';
  readonly fromMs: number;
  readonly toMs: number;
}

/** Collects calls as they are invoked and complete. */
export class CallLog {
  readonly calls: CallEntry[] = [];

  /** Records an invocation; the returned function records its completion (once). */
  invoke(kind: CallKind, keys: readonly string[], version: number | undefined, nodes: readonly (string | undefined)[], nowMs: number): (result: { readonly completeMs: number; readonly errorCode?: string; readonly values?: readonly (string | undefined)[]; readonly failedKeys?: readonly string[] }) => void {
    const index = this.calls.length;
    this.calls.push({ kind, keys, version, nodes, invokeMs: nowMs, completeMs: undefined, errorCode: undefined, values: undefined, failedKeys: [] });
    return (result) => {
      const entry = this.calls[index];
      if (entry === undefined || entry.completeMs !== undefined) return;
      this.calls[index] = { ...entry, completeMs: result.completeMs, errorCode: result.errorCode, values: result.values, failedKeys: result.failedKeys ?? [] };
    };
  }
}
