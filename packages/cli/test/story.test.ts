import { describe, expect, it } from 'vitest';
import { playStory, storySchedule, type DemoStage } from '../src/demo/demo-story.js';
import type { MigrationStatus, StoryEvent } from '../src/demo/story-events.js';
import { describeEvent } from '../src/demo/story-events.js';
import { VirtualClock } from './support/virtual-clock.js';

/** A stage that does everything at once, and remembers what it was asked. */
class FakeStage implements DemoStage {
  readonly victim = 'node-1';
  readonly spare = 'node-4';
  readonly leaver = 'node-0';
  readonly calls: string[] = [];
  restores: Promise<void> = Promise.resolve();

  pid(node: string): number {
    return node === this.victim ? 101 : 100;
  }
  kill(node: string): Promise<void> {
    this.calls.push(`kill ${node}`);
    return Promise.resolve();
  }
  whenEjected(): Promise<void> {
    return Promise.resolve();
  }
  restart(node: string): Promise<{ pid: number; tracked: number }> {
    this.calls.push(`restart ${node}`);
    return Promise.resolve({ pid: 202, tracked: 17 });
  }
  whenRestored(): Promise<void> {
    return this.restores;
  }
  add(node: string): Promise<number> {
    this.calls.push(`add ${node}`);
    return Promise.resolve(0.2);
  }
  warmupReads(): number {
    return 5;
  }
  drain(node: string): void {
    this.calls.push(`drain ${node}`);
  }
  migrate(node: string, budgetMs: number, onProgress: (status: MigrationStatus) => void): Promise<{ status: MigrationStatus; completed: boolean }> {
    this.calls.push(`migrate ${node} in ${budgetMs} ms`);
    const status = { scanned: 50, total: 100, moved: 10, skipped: 0, failed: 0 };
    onProgress(status);
    return Promise.resolve({ status: { ...status, scanned: 100 }, completed: true });
  }
  remove(node: string): Promise<number> {
    this.calls.push(`remove ${node}`);
    return Promise.resolve(0);
  }
}

async function play(stage: DemoStage, durationMs: number, signal = new AbortController().signal): Promise<StoryEvent[]> {
  const events: StoryEvent[] = [];
  await playStory(stage, storySchedule(durationMs), { clock: new VirtualClock(), signal, emit: (event) => events.push(event) });
  return events;
}

describe('the demo story', () => {
  it('lays five phases over the duration, each scaling with it', () => {
    expect(storySchedule(60_000).map((phase) => [phase.name, phase.startMs, phase.endMs])).toEqual([
      ['steady', 0, 9000],
      ['kill', 9000, 21_000],
      ['restore', 21_000, 33_000],
      ['add', 33_000, 45_000],
      ['migrate', 45_000, 60_000],
    ]);
    expect(storySchedule(10_000).map((phase) => phase.startMs)).toEqual([0, 1500, 3500, 5500, 7500]);
  });

  it('kills, restarts, adds, drains, migrates and removes, each phase at its time', async () => {
    const stage = new FakeStage();
    const events = await play(stage, 60_000);
    expect(stage.calls).toEqual(['kill node-1', 'restart node-1', 'add node-4', 'drain node-0', 'migrate node-0 in 9000 ms', 'remove node-0']);
    expect(events.map((event) => event.type)).toEqual(['phase', 'phase', 'killed', 'phase', 'restarted', 'phase', 'added', 'warmed', 'phase', 'draining', 'migration', 'migrated', 'removed', 'done']);
    expect(events.filter((event) => event.type === 'phase').map((event) => event.atMs)).toEqual([0, 9000, 21_000, 33_000, 45_000]);
    expect(events.at(-1)?.atMs).toBe(60_000);
    expect(events.find((event) => event.type === 'added')).toMatchObject({ node: 'node-4', moved: 0.2, warmupMs: 12_000 });
    expect(events.find((event) => event.type === 'restarted')).toMatchObject({ pid: 202, tracked: 17 });
    // Every event but progress has a line of text.
    for (const event of events) expect(describeEvent(event) === undefined).toBe(event.type === 'migration');
  });

  it('bounds the wait for a restore that never comes, says so, and goes on', async () => {
    const stage = new FakeStage();
    stage.restores = new Promise(() => undefined);
    const events = await play(stage, 10_000);
    const waited = events.find((event) => event.type === 'waited');
    // The restore phase is 2 s long here; the wait is bounded by 5 s after the restart.
    expect(waited).toMatchObject({ node: 'node-1', what: 'restore', waitedMs: 5000 });
    expect(events.map((event) => event.type)).toContain('removed');
    expect(events.at(-1)?.type).toBe('done');
  });

  it('reports a failed migration, leaves the node drained (not removed) and goes on', async () => {
    const stage = new FakeStage();
    stage.migrate = () => Promise.reject(Object.assign(new Error('crawler busy'), { code: 'ERR_SERVER' }));
    const events = await play(stage, 10_000);
    const migrated = events.find((event) => event.type === 'migrated');
    expect(migrated).toMatchObject({ completed: false, error: 'ERR_SERVER' });
    expect(describeEvent(migrated ?? { type: 'done', atMs: 0 })).toMatch(/^migration failed \(ERR_SERVER\): 0 keys copied from node-0 .*; node-0 stays drained$/);
    expect(stage.calls).not.toContain('remove node-0');
    expect(events.at(-1)?.type).toBe('done');
  });

  it('stops at its next step when the signal aborts', async () => {
    const stage = new FakeStage();
    const controller = new AbortController();
    const events: StoryEvent[] = [];
    await playStory(stage, storySchedule(10_000), {
      clock: new VirtualClock(),
      signal: controller.signal,
      emit: (event) => {
        events.push(event);
        if (event.type === 'restarted') controller.abort();
      },
    });
    expect(stage.calls).toEqual(['kill node-1', 'restart node-1']);
    expect(events.map((event) => event.type)).not.toContain('done');
  });
});
