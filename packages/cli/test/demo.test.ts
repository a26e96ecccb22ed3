// `shardcache demo` as a user runs it: the built CLI in a subprocess, plain lines (stdout is
// not a terminal), a short story against real servers, and no process left behind.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ANSI } from './support/ansi.js';
import { isRunning, runCli } from './support/run-cli.js';

const STORY_LINES = [
  /phase 1\/5: steady state/,
  /phase 2\/5: a node dies \(SIGKILL\)/,
  /killing \w+-1 \(SIGKILL to pid \d+\)/,
  /client ejected \w+-1 \(failures\)/,
  /phase 3\/5: it comes back/,
  /restarted \w+-1 \(pid \d+, empty\); the rejoin guard tracks \d+ keys/,
  /client restored \w+-1: probes passed/,
  /phase 4\/5: a node joins, with warm-up/,
  /added \w+-4: \d+\.\d% of the keys move to it/,
  /warm-up over: \d+ reads/,
  /phase 5\/5: a node leaves/,
  /draining \w+-0/,
  /migration done: \d+ keys copied from \w+-0/,
  /removed \w+-0 from the ring/,
  /story over/,
];

const scratch = mkdtempSync(join(tmpdir(), 'cli-demo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('shardcache demo --no-tty', () => {
  it.concurrent.each(['memcached', 'redis'])('tells the whole story on %s, reads no wrong value, draws it as a page and leaves no process behind', async (backend) => {
    const page = join(scratch, `demo.${backend}.html`);
    const { code, stdout, stderr, pids } = await runCli(['demo', '--no-tty', '--backend', backend, '--duration', '9', '--html', page]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    // Each story line once, in the story's order, timestamped (ISO time, then seconds since the start).
    const found = STORY_LINES.map((pattern) => lines.findIndex((line) => pattern.test(line)));
    expect(found.every((index) => index >= 0), `story lines found at ${JSON.stringify(found)}\n${stdout}`).toBe(true);
    expect(found).toEqual([...found].sort((a, b) => a - b));
    for (const index of found) expect(lines[index]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z +\+ *\d+\.\ds {2}/);
    expect(lines.filter((line) => / totals: [\d,]+ ops/.test(line)).length).toBeGreaterThanOrEqual(3);
    expect(stdout.match(ANSI)).toBeNull();

    expect(stdout).toMatch(/^ {2}wrong values {2}0$/m);
    expect(stdout).toMatch(/^ {2}stale reads {3}0$/m);
    expect(stdout).toMatch(/^ {2}ops {11}[\d,]+ in \d+\.\d s/m);
    expect(stdout).toMatch(/^ {2}hit rate {6}\d+\.\d%/m);
    expect(stdout).toMatch(/^ {2}events {8}killed \w+-1 .*restored \w+-1 .*added \w+-4 .*removed \w+-0/m);

    // The page (drawn in a browser by the integration suite's report-pages test): the kill shaded,
    // the story's phases and events on the time axis, every check of the story held.
    expect(stdout).toMatch(new RegExp(`^ {2}page {10}${page}$`, 'm'));
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<body data-verdict="pass">');
    expect(html.match(new RegExp(`<rect class="fault" data-fault-node="${backend}-1" data-fault-type="kill"`, 'g'))).toHaveLength(5);
    expect(html.match(/<span class="phase"/g)).toHaveLength(5);
    for (const event of ['ejected', 'restored', 'ring-changed', 'warm-up', 'migration']) expect(html, event).toContain(`<line class="mark mark-${event}" data-event="${event}"`);
    expect(html.match(/<tr class="check" data-verdict="pass">/g)).toHaveLength(6);

    // Five servers and the restarted one, all recorded, all gone once the CLI has exited.
    const servers = pids.filter((record) => record.comm !== 'node');
    expect(servers).toHaveLength(6);
    const printed = /servers {7}6 started and stopped \(pids ([\d, ]+)\)/.exec(stdout)?.[1]?.split(', ').map(Number).sort();
    expect(printed).toEqual(servers.map((record) => record.pid).sort());
    expect(servers.filter(isRunning)).toEqual([]);
    // The fleet's watchdog exits when the CLI's end of its pipe closes.
    await expect.poll(() => pids.filter(isRunning), { timeout: 5000, interval: 50 }).toEqual([]);
  }, 40_000);
});
