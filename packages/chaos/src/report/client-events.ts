import type { TimelineEvent } from './scenario-page.js';

/**
 * The announcements of a cache client that a page marks on its time axis, in the shape
 * `ShardedClient` emits them (this package never imports the client: any emitter of these
 * three events fits).
 */
export interface AnnouncingClient {
  on(event: 'node:ejected', listener: (event: { readonly node: string; readonly reason: string }) => void): unknown;
  on(event: 'node:restored', listener: (event: { readonly node: string }) => void): unknown;
  on(event: 'ring:changed', listener: (event: { readonly reason: string; readonly node: string | undefined; readonly diff: { readonly moved: number } }) => void): unknown;
}

/**
 * Records the client's ejections, restores and membership changes from now on into the array
 * it returns, timed by `now` (ms on the scenario's axis). Ring changes that an ejection or a
 * restore caused are not repeated: the ejection or restore is the event.
 *
 * @example
 * const events = recordClientEvents(client, () => performance.now() - startedAt);
 * const report = await runScenario({ target, faults });
 * renderScenarioPage({ title: 'pause', report, events, checks });
 */
export function recordClientEvents(client: AnnouncingClient, now: () => number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  client.on('node:ejected', ({ node, reason }) => events.push({ atMs: now(), type: 'ejected', node, detail: reason }));
  client.on('node:restored', ({ node }) => events.push({ atMs: now(), type: 'restored', node }));
  client.on('ring:changed', ({ reason, node, diff }) => {
    if (reason !== 'membership') return;
    events.push({ atMs: now(), type: 'ring-changed', ...(node === undefined ? {} : { node }), detail: `${(diff.moved * 100).toFixed(1)} % of keys moved` });
  });
  return events;
}
