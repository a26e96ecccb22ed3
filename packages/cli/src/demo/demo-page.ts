import { buildReport, type FaultRecord, type OperationSample, type ReportCheck, type ScenarioPage, type TimelineEvent } from '@shardcache/chaos';
import type { DemoSummary } from './demo-summary.js';
import type { StoryEvent } from './story-events.js';
import type { LoadCall } from './versioned-load.js';

/** What the demo's page is drawn from: its summary, every call of the load, and when the story began on the load's clock. */
export interface DemoRecord {
  readonly summary: DemoSummary;
  readonly calls: readonly LoadCall[];
  readonly startedAt: number;
  /** The settings in force (the demo's options, the client's). */
  readonly settings: Readonly<Record<string, unknown>>;
}

const NO_COUNTERS = { connections: 0, bytesForwarded: 0, bytesHeld: 0, bytesDropped: 0, bytesAltered: 0, connectionsReset: 0, requestsFailed: 0, kills: 0, pauses: 0, restarts: 0, flaps: 0 };
const share = (value: number): string => `${(value * 100).toFixed(1)} %`;

/**
 * The demo's story as a scenario page: the load's calls as the report (the kill as the fault,
 * shaded from the SIGKILL to the restart), the story's phases above the charts, the client's
 * ejection and restore, the joins and leaves, warm-up and migration marked on the time axis,
 * and checks on what the story promises.
 *
 * @example
 * writeFileSync('demo.html', renderScenarioPage(demoPage({ summary, calls, startedAt, settings })));
 */
export function demoPage(record: DemoRecord): ScenarioPage {
  const { summary } = record;
  const { events, totals } = summary;
  const first = <T extends StoryEvent['type']>(type: T): Extract<StoryEvent, { type: T }> | undefined => events.find((event): event is Extract<StoryEvent, { type: T }> => event.type === type);
  const killed = first('killed');
  const restarted = first('restarted');
  const faults: FaultRecord[] =
    killed === undefined
      ? []
      : [{ node: killed.node, type: 'kill', appliedAtMs: killed.atMs, revertedAtMs: restarted?.atMs ?? summary.durationMs, counters: { ...NO_COUNTERS, kills: 1, restarts: restarted === undefined ? 0 : 1 } }];
  const phaseOf = (ms: number): OperationSample['phase'] => (killed === undefined || ms < killed.atMs ? 'before' : restarted === undefined || ms < restarted.atMs ? 'during' : 'after');
  const samples = record.calls.map((call): OperationSample => {
    const startMs = call.startedAt - record.startedAt;
    return {
      kind: call.kind,
      phase: phaseOf(startMs),
      startMs,
      endMs: call.endedAt - record.startedAt,
      ...(call.node === undefined ? {} : { node: call.node }),
      ...(call.errorCode === undefined ? {} : { errorCode: call.errorCode }),
      ...(call.outcome === undefined ? {} : { outcome: call.outcome }),
    };
  });
  const phases = events.flatMap((event) => (event.type === 'phase' ? [event] : []));
  const happened = (type: StoryEvent['type'], node?: string): boolean => events.some((event) => event.type === type && (node === undefined || ('node' in event && event.node === node)));
  const added = first('added');
  const migrated = first('migrated');
  const checks: ReportCheck[] = [
    { name: 'no wrong value read', ok: totals.wrong === 0, detail: `wrong values ${totals.wrong}` },
    { name: 'no stale value read (rejoin safety)', ok: totals.stale === 0, detail: `stale reads ${totals.stale}` },
    { name: 'the killed node was ejected', ok: killed !== undefined && happened('ejected', killed.node), detail: killed === undefined ? 'no kill' : `${killed.node}: ${happened('ejected', killed.node) ? 'ejected' : 'not ejected'}` },
    { name: 'it was restored after its restart', ok: killed !== undefined && happened('restored', killed.node), detail: killed === undefined ? 'no kill' : `${killed.node}: ${happened('restored', killed.node) ? 'restored' : 'not restored'}` },
    { name: 'the spare joined with warm-up', ok: added !== undefined && happened('warmed'), detail: added === undefined ? 'not added' : `${added.node}, ${share(added.moved)} of keys moved` },
    { name: 'the leaver was migrated and removed', ok: migrated !== undefined && migrated.completed && happened('removed'), detail: migrated !== undefined ? `${migrated.status.moved} keys moved${migrated.completed ? '' : ', stopped'}` : 'no migration' },
  ];
  return {
    title: `shardcache demo · ${summary.backend}`,
    description: `${summary.interrupted ? 'Interrupted: ' : ''}a node dies and comes back, one joins with warm-up, one leaves with a migration, under a paced load`,
    report: buildReport(samples, faults, summary.durationMs, 'duration'),
    events: events.flatMap(timelineEvent),
    checks,
    settings: record.settings,
    phases: phases.map((phase, i) => ({ title: `${phase.index}. ${phase.title}`, fromMs: phase.atMs, toMs: phases[i + 1]?.atMs ?? summary.durationMs })),
  };
}

/** A story event as the page marks it, if it marks it. */
function timelineEvent(event: StoryEvent): TimelineEvent[] {
  switch (event.type) {
    case 'ejected':
      return [{ atMs: event.atMs, type: 'ejected', node: event.node, detail: event.reason }];
    case 'restored':
      return [{ atMs: event.atMs, type: 'restored', node: event.node }];
    case 'added':
      return [
        { atMs: event.atMs, type: 'ring-changed', node: event.node, detail: `added: ${share(event.moved)} of keys moved` },
        { atMs: event.atMs, type: 'warm-up', node: event.node, detail: `warm-up for ${(event.warmupMs / 1000).toFixed(1)} s` },
      ];
    case 'warmed':
      return [{ atMs: event.atMs, type: 'warm-up', node: event.node, detail: `warm-up over: ${event.reads} reads served by previous owners` }];
    case 'draining':
      return [{ atMs: event.atMs, type: 'migration', node: event.node, detail: 'draining' }];
    case 'migrated':
      return [{ atMs: event.atMs, type: 'migration', node: event.node, detail: `${event.completed ? 'done' : 'stopped'}: ${event.status.moved} keys copied` }];
    case 'removed':
      return [{ atMs: event.atMs, type: 'ring-changed', node: event.node, detail: `removed: ${share(event.moved)} of keys moved` }];
    default:
      return [];
  }
}
