// The nemesis's report, as people read it: the run, the fault timeline, each kind of finding
// (the first few of each), and last the one line the issue fixes the shape of.
import { summaryLine, type Finding, type Verdict } from './check-history.js';
import type { History } from './history.js';

/** Findings of one kind printed in full; the rest are counted. */
const SHOWN = 10;

export function formatVerdict(title: string, history: History, verdict: Verdict): string {
  const lines = [title];
  const succeeded = history.calls.filter((call) => call.completeMs !== undefined && call.errorCode === undefined).length;
  lines.push(`calls: ${verdict.ops} (${succeeded} succeeded), ${history.skippedStarts} starts skipped at the concurrency cap`);
  lines.push(`errors by code: ${JSON.stringify(verdict.errorsByCode)}`);
  lines.push(`late bound: ${verdict.lateBoundMs.toFixed(1)} ms (deadline ${history.timeoutMs} + worst loop stall ${history.worstStallMs.toFixed(1)} + 10)`);
  lines.push(`listener: ${history.listenerThrows} throws, ${history.listenerWarnings} SHARDCACHE_LISTENER_THREW warnings`);
  lines.push(`leaked sockets after close: ${history.leakedSockets}`);
  lines.push('timeline:');
  const timeline = [
    ...history.faults.map((fault) => ({ atMs: fault.appliedMs, text: `${fault.node} ${fault.description}${fault.revertedMs === undefined ? '' : ` until ${fault.revertedMs.toFixed(0)} ms`}${fault.error === undefined ? '' : ` (failed: ${fault.error})`}` })),
    ...history.changes.map((change) => ({ atMs: change.invokeMs, text: `${change.description}${change.completeMs === undefined ? ', never settled' : `, done at ${change.completeMs.toFixed(0)} ms`}${change.error === undefined ? '' : ` (failed: ${change.error})`}` })),
    ...history.events.map((event) => ({ atMs: event.atMs, text: `  client: ${event.text}` })),
  ].sort((a, b) => a.atMs - b.atMs);
  for (const event of timeline) lines.push(`  ${event.atMs.toFixed(0).padStart(7)} ms  ${event.text}`);
  section(lines, 'wrong', verdict.wrong);
  section(lines, 'stale', verdict.stale);
  section(lines, 'leftover reads (documented: a copy a planned change left behind; not counted)', verdict.leftovers);
  section(lines, 'late', verdict.late);
  section(lines, 'unhandled', verdict.unhandled.map((what) => ({ atMs: 0, what })));
  lines.push(summaryLine(verdict));
  return lines.join('\n');
}

function section(lines: string[], name: string, findings: readonly Finding[]): void {
  if (findings.length === 0) return;
  lines.push(`${name}: ${findings.length}`);
  for (const finding of findings.slice(0, SHOWN)) lines.push(`  ${finding.what}`);
  if (findings.length > SHOWN) lines.push(`  ... and ${findings.length - SHOWN} more`);
}
