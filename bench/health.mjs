// Cost of the health gate on the success path (breaker check + outcome recording + latency
// window), against opossum's fire() in the same run. Drives the BUILT package:
//   npx tsc -b packages/health && node bench/health.mjs [iterations]
// Prints nanoseconds per request; the budget is 300 ns (issue #5).
import { createRequire } from 'node:module';
import { NodeHealth } from '@shardcache/health';

const require = createRequire(import.meta.url);
const CircuitBreaker = require('opossum');

const iterations = Number(process.argv[2] ?? 20_000_000);
const FIRE_ITERATIONS = Math.min(iterations, 2_000_000);
const BATCH = 1000;

function nsPer(count, run) {
  const started = process.hrtime.bigint();
  run(count);
  return Number(process.hrtime.bigint() - started) / count;
}

async function nsPerAsync(count, run) {
  const started = process.hrtime.bigint();
  await run(count);
  return Number(process.hrtime.bigint() - started) / count;
}

const probe = () => Promise.resolve();
const health = new NodeHealth('bench:11211', { autoEjectHosts: true, probe });

// What the client does per request: ask, send, report the latency.
function successPath(count) {
  let admitted = 0;
  for (let i = 0; i < count; i++) {
    if (health.admits()) {
      health.recordSuccess((i & 15) * 0.05 + 0.2);
      admitted++;
    }
  }
  if (admitted !== count) throw new Error('the node should have admitted every request');
}

// Eight nodes in turn, as a client spreading keys over a fleet: no single hot object.
const fleet = Array.from({ length: 8 }, (_, i) => new NodeHealth(`bench-${i}:11211`, { autoEjectHosts: true, probe }));
function fleetPath(count) {
  for (let i = 0; i < count; i++) {
    const node = fleet[i & 7];
    if (node.admits()) node.recordSuccess((i & 15) * 0.05 + 0.2);
  }
}

// The same with the latency measured as the client must (two clock reads per request).
function timedPath(count) {
  for (let i = 0; i < count; i++) {
    if (health.admits()) {
      const started = performance.now();
      health.recordSuccess(performance.now() - started);
    }
  }
}

function gatePath(count) {
  for (let i = 0; i < count; i++) {
    health.gate();
    health.recordSuccess((i & 15) * 0.05 + 0.2);
  }
}

function emptyLoop(count) {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += (i & 15) * 0.05 + 0.2;
  if (sum < 0) throw new Error('unreachable');
}

const action = () => Promise.resolve();
function fireLoop(breaker) {
  return async (count) => {
    for (let done = 0; done < count; done += BATCH) {
      const batch = [];
      for (let i = 0; i < BATCH; i++) batch.push(breaker.fire());
      await Promise.all(batch);
    }
  };
}

function promiseLoop() {
  return async (count) => {
    for (let done = 0; done < count; done += BATCH) {
      const batch = [];
      for (let i = 0; i < BATCH; i++) batch.push(action());
      await Promise.all(batch);
    }
  };
}

const defaults = new CircuitBreaker(action, {});
const noTimeout = new CircuitBreaker(action, { timeout: false });

// Warm up every path so the JIT has optimised it before the timed runs.
successPath(1_000_000);
gatePath(1_000_000);
fleetPath(1_000_000);
timedPath(1_000_000);
emptyLoop(1_000_000);
await fireLoop(defaults)(100_000);
await fireLoop(noTimeout)(100_000);
await promiseLoop()(100_000);

const rows = [
  ['empty loop (baseline)', nsPer(iterations, emptyLoop), iterations],
  ['NodeHealth admits() + recordSuccess()', nsPer(iterations, successPath), iterations],
  ['NodeHealth gate() + recordSuccess()', nsPer(iterations, gatePath), iterations],
  ['8 NodeHealths in turn, admits() + record', nsPer(iterations, fleetPath), iterations],
  ['admits() + record + 2 performance.now()', nsPer(iterations, timedPath), iterations],
  ['Promise.resolve() batch (baseline for fire)', await nsPerAsync(FIRE_ITERATIONS, promiseLoop()), FIRE_ITERATIONS],
  ['opossum 9 fire(), defaults', await nsPerAsync(FIRE_ITERATIONS, fireLoop(defaults)), FIRE_ITERATIONS],
  ['opossum 9 fire(), timeout: false', await nsPerAsync(FIRE_ITERATIONS, fireLoop(noTimeout)), FIRE_ITERATIONS],
];

console.log(`node ${process.version}, ${process.arch}`);
for (const [name, ns, count] of rows) console.log(`${name.padEnd(46)} ${ns.toFixed(1).padStart(8)} ns/request  (${count.toLocaleString('en-US')} iterations)`);
const stats = health.stats;
console.log(`window after the run: p50 ${stats.p50Ms} ms, p99 ${stats.p99Ms} ms over ${stats.latencySamples} samples`);

defaults.shutdown();
noTimeout.shutdown();
await Promise.all([health, ...fleet].map((node) => node.close()));
