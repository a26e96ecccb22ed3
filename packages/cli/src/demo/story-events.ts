/** The demo's five phases, in order. */
export type PhaseName = 'steady' | 'kill' | 'restore' | 'add' | 'migrate';

/** What a migration has done so far (from `client.migrate`'s progress). */
export interface MigrationStatus {
  readonly scanned: number;
  /** Keys to scan in all, estimated from the servers' own counts; undefined until known. */
  readonly total: number | undefined;
  readonly moved: number;
  readonly skipped: number;
  readonly failed: number;
}

/**
 * Everything the demo reports, as it happens: the story's own steps, and what the client
 * announced (`ejected`, `restored`). Renderers turn these into lines; `atMs` counts from the
 * start of the story. Nodes are named by their fleet id (`memcached-1`).
 */
export type StoryEvent =
  | { readonly type: 'phase'; readonly atMs: number; readonly phase: PhaseName; readonly index: number; readonly count: number; readonly title: string }
  | { readonly type: 'killed'; readonly atMs: number; readonly node: string; readonly pid: number }
  | { readonly type: 'ejected'; readonly atMs: number; readonly node: string; readonly reason: string }
  | { readonly type: 'restarted'; readonly atMs: number; readonly node: string; readonly pid: number; readonly tracked: number }
  | { readonly type: 'restored'; readonly atMs: number; readonly node: string }
  | { readonly type: 'added'; readonly atMs: number; readonly node: string; readonly moved: number; readonly warmupMs: number }
  | { readonly type: 'warmed'; readonly atMs: number; readonly node: string; readonly reads: number }
  | { readonly type: 'draining'; readonly atMs: number; readonly node: string }
  | { readonly type: 'migration'; readonly atMs: number; readonly node: string; readonly status: MigrationStatus }
  | { readonly type: 'migrated'; readonly atMs: number; readonly node: string; readonly status: MigrationStatus; readonly completed: boolean; readonly error?: string }
  | { readonly type: 'removed'; readonly atMs: number; readonly node: string; readonly moved: number }
  | { readonly type: 'waited'; readonly atMs: number; readonly node: string; readonly what: 'ejection' | 'restore'; readonly waitedMs: number }
  | { readonly type: 'done'; readonly atMs: number };

const share = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** One line of text for an event (without its time); migration progress has none. */
export function describeEvent(event: StoryEvent): string | undefined {
  switch (event.type) {
    case 'phase':
      return `phase ${event.index}/${event.count}: ${event.title}`;
    case 'killed':
      return `killing ${event.node} (SIGKILL to pid ${event.pid})`;
    case 'ejected':
      return `client ejected ${event.node} (${event.reason}): its keys fail over to the next nodes on the ring`;
    case 'restarted':
      return `restarted ${event.node} (pid ${event.pid}, empty); the rejoin guard tracks ${event.tracked} keys written elsewhere while it was out`;
    case 'restored':
      return `client restored ${event.node}: probes passed, the keys it missed were purged first, then it rejoined the ring`;
    case 'added':
      return `added ${event.node}: ${share(event.moved)} of the keys move to it; warm-up reads their previous owners for ${(event.warmupMs / 1000).toFixed(1)} s`;
    case 'warmed':
      return `warm-up over: ${event.reads} reads of keys new to ${event.node} were served by their previous owners`;
    case 'draining':
      return `draining ${event.node}: taken out of placement, so its keys go to the nodes that will own them`;
    case 'migration':
      return undefined;
    case 'migrated':
      return `migration ${event.completed ? 'done' : event.error === undefined ? 'stopped' : `failed (${event.error})`}: ${event.status.moved} keys copied from ${event.node} (${event.status.scanned} scanned, ${event.status.skipped} already there, ${event.status.failed} failed)${event.completed ? '' : `; ${event.node} stays drained`}`;
    case 'removed':
      return `removed ${event.node} from the ring (${share(event.moved)} of the keys changed owner in the swap)`;
    case 'waited':
      return `${event.node}: no ${event.what} after ${(event.waitedMs / 1000).toFixed(1)} s; the story goes on`;
    case 'done':
      return 'story over';
  }
}
