// Issue 25's numbers, measured: 8 application processes follow one etcd list on a 3-member
// cluster. A publish reaches all of them (p50/p99 over 50 changes, bound p99 <= 1 s); with one
// member killed a publish still reaches all within 2 s; with all three down the cache calls go
// on, a killed cache node is ejected by each process on its own, and once etcd is back every
// process applies the next publish within 5 s of etcd's return. Bounds are the issue's own.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EtcdCluster, startFleet, type Fleet } from '@shardcache/chaos';
import { etcdMembership, type EtcdMembership } from '../src/membership/etcd-membership.js';

const APP = fileURLToPath(new URL('./support/etcd-app.ts', import.meta.url));
const PROCESSES = 8;
const CHANGES = 50;
const PREFIX = '/shardcache/fleet-test';

interface Message {
  readonly event: string;
  readonly at: number;
  readonly epoch?: number;
  readonly state?: string;
  readonly node?: string;
  readonly ok?: number;
  readonly fingerprint?: string;
}

/** One app process and everything it said, in order. */
class App {
  readonly child: ChildProcessWithoutNullStreams;
  readonly messages: Message[] = [];
  readonly #heard = new EventEmitter<{ message: [Message] }>();

  /** The end of what it wrote to stderr. Read as it comes: a pipe nobody reads fills (64 KiB) and blocks the writer. */
  stderr = '';

  constructor(endpoints: readonly string[]) {
    this.child = spawn(process.execPath, ['--conditions=@shardcache/source', '--import', 'tsx', APP, endpoints.join(','), PREFIX], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-2000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Message;
      this.messages.push(message);
      this.#heard.emit('message', message);
    });
  }

  /** The first message at or after `since` that matches: one already heard, or the next one that is. */
  next(match: (message: Message) => boolean, since = 0, timeoutMs = 30_000): Promise<Message> {
    const wanted = (message: Message): boolean => message.at >= since && match(message);
    const heard = this.messages.find(wanted);
    if (heard !== undefined) return Promise.resolve(heard);
    return new Promise((resolve, reject) => {
      const listener = (message: Message): void => {
        if (!wanted(message)) return;
        clearTimeout(timer);
        this.#heard.off('message', listener);
        resolve(message);
      };
      // A deadline, not a wait: a message that never comes fails the test with what was heard.
      const timer = setTimeout(() => {
        this.#heard.off('message', listener);
        reject(new Error(`no matching message from app ${this.child.pid ?? '?'} within ${timeoutMs} ms (exit code ${String(this.child.exitCode)}); last: ${JSON.stringify(this.messages.slice(-3))}; stderr: ${this.stderr.slice(-500)}`));
      }, timeoutMs);
      this.#heard.on('message', listener);
    });
  }

  async calls(): Promise<Message> {
    const asked = Date.now();
    this.child.stdin.write('calls\n');
    return this.next((message) => message.event === 'calls', asked);
  }

  async quit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.write('quit\n');
    await exited;
  }
}

let etcd: EtcdCluster;
let fleet: Fleet;
let admin: EtcdMembership;
let apps: App[] = [];
beforeAll(async () => {
  [etcd, fleet] = await Promise.all([EtcdCluster.start({ members: 3 }), startFleet({ memcached: 4 })]);
  admin = etcdMembership({ endpoints: etcd.endpoints, prefix: PREFIX });
  const [a, b, c] = fleet.memcached.map((node) => node.address);
  await admin.replace([a ?? '', b ?? '', c ?? '']);
  apps = Array.from({ length: PROCESSES }, () => new App(etcd.endpoints));
  await Promise.all(apps.map((app) => app.next((message) => message.event === 'ready', 0, 60_000)));
}, 90_000);
afterAll(async () => {
  await Promise.all(apps.map((app) => app.quit()));
  await admin.close();
  await Promise.all([etcd.stop(), fleet.stop()]);
});

/** Publishes `change` and resolves with the ms until every process has its ring in force. */
async function reachAll(publish: () => Promise<number>, since = Date.now()): Promise<number> {
  const epoch = await publish();
  const applied = await Promise.all(apps.map((app) => app.next((message) => message.event === 'applied' && message.epoch === epoch, since)));
  return Math.max(...applied.map((message) => message.at)) - since;
}

it(`a publish reaches all ${PROCESSES} processes: p99 over ${CHANGES} changes <= 1 s`, async () => {
  const d = fleet.memcached[3]?.address ?? '';
  const lags: number[] = [];
  // Alternately add and remove a fourth node: each change connects or closes in every process.
  for (let change = 0; change < CHANGES; change++) {
    lags.push(await reachAll(() => admin.publish(change % 2 === 0 ? { add: [d] } : { remove: [d] })));
  }
  // Nearest rank, never an interpolation: with 50 samples the p99 is the largest of them.
  const sorted = [...lags].sort((x, y) => x - y);
  const [p50, p99] = [0.5, 0.99].map((p) => sorted[Math.ceil(p * sorted.length) - 1] ?? NaN);
  console.log(`etcd membership: publish -> new ring in all ${PROCESSES} processes over ${CHANGES} changes: p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...lags)} ms (bound p99 <= 1000 ms)`);
  expect(p99).toBeLessThanOrEqual(1000);
  // They agree on where keys live.
  const fingerprints = await Promise.all(apps.map((app) => app.calls()));
  expect(new Set(fingerprints.map((message) => message.fingerprint)).size).toBe(1);
}, 120_000);

it('with one member of three killed, a publish still reaches all processes within 2 s', async () => {
  const [first] = etcd.members;
  if (first === undefined) throw new Error('no member');
  await first.kill();
  try {
    const d = fleet.memcached[3]?.address ?? '';
    const lag = await reachAll(() => admin.publish({ add: [d] }));
    console.log(`etcd membership: one member of three killed: publish reached all ${PROCESSES} processes in ${lag} ms (bound 2000 ms)`);
    expect(lag).toBeLessThanOrEqual(2000);
  } finally {
    await etcd.restart(first);
  }
}, 60_000);

it("with all three down: calls go on, a killed cache node is ejected by each process alone, and etcd's next list is in force within 5 s of its return", async () => {
  const before = await Promise.all(apps.map((app) => app.calls()));
  const down = Date.now();
  await Promise.all(etcd.members.map((member) => member.kill()));
  await Promise.all(apps.map((app) => app.next((message) => message.event === 'status' && message.state === 'alone', down)));

  const victim = fleet.memcached[3];
  if (victim === undefined) throw new Error('no fourth node');
  const killedAt = Date.now();
  await victim.kill();
  const ejections = await Promise.all(apps.map((app) => app.next((message) => message.event === 'ejected' && message.node === victim.address, killedAt)));
  // Each process decided alone: etcd was down for all of it.
  expect(ejections.map((message) => message.state)).toEqual(apps.map(() => 'alone'));
  expect(etcd.members.filter((member) => member.running)).toEqual([]);
  const during = await Promise.all(apps.map((app) => app.calls()));
  expect(during.map((message, index) => (message.ok ?? 0) - (before[index]?.ok ?? 0))).not.toContain(0);
  const detection = ejections.map((message) => message.at - killedAt);
  console.log(`etcd membership: all members down: cache node killed, ejected locally by all ${PROCESSES} processes in ${Math.min(...detection)}-${Math.max(...detection)} ms`);

  const restarting = Date.now();
  await etcd.restartAll();
  const returned = Date.now();
  const lag = await reachAll(() => admin.publish({ remove: [victim.address] }), returned);
  const following = await Promise.all(apps.map((app) => app.next((message) => message.event === 'status' && message.state === 'following', restarting)));
  const relinked = Math.max(...following.map((message) => message.at)) - returned;
  console.log(`etcd membership: all members back (restart took ${returned - restarting} ms): all ${PROCESSES} processes following ${relinked} ms after etcd answered again; the next list in force in all ${lag} ms after (bound 5000 ms)`);
  expect(relinked).toBeLessThanOrEqual(5000);
  expect(lag).toBeLessThanOrEqual(5000);
}, 90_000);
