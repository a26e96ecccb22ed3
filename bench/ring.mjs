#!/usr/bin/env node
// @shardcache/ring's own numbers, for every configuration at 10/100/1,000 nodes: lookups/s on the
// peer harness's two key sets (../shared/peers/ring-bench.mjs: "user:<i>" and random hex from
// sfc32 with the same seeds), build time, memory per ring, exact balance (max/mean, CV from
// shareOf) and exact movement on add/remove (from diff, not sampled), plus a zero-allocation check.
//
//   npx tsc -b packages/ring && node --expose-gc bench/ring.mjs          (from the repo root)
//   RING_NODES=10,100 RING_KEYS=200000 node --expose-gc bench/ring.mjs   (quicker)
//
// Rings without segments (rendezvous, jump, multi-probe) report movement and balance as exact
// expectations (diff's `exact: false`; the last column says which).
//
// Peer comparison (same workloads, same run as the peers): see bench/README.md.
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  diff, jumpRing, ketamaRing, libmemcachedRing, maglevRing, modulaRing, multiProbeRing, rendezvousRing, twemproxyRing,
} from '@shardcache/ring';

const env = (k, d) => process.env[k] || d;
const KEYS = Number(env('RING_KEYS', 1_000_000));
const NODES = env('RING_NODES', '10,100,1000').split(',').map(Number);
const ROUND_MS = Number(env('RING_ROUND_MS', 400));
const gc = globalThis.gc ?? (v8.setFlagsFromString('--expose-gc'), vm.runInNewContext('gc'));

// The harness's key sets, generated the same way (sfc32, seeds 0x5eed1, 0xc0ffee, 0xbadc0de, 0x1234567).
function sfc32(a, b, c, d) {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11); c = (c + t) | 0;
    return t >>> 0;
  };
}
function keysets(n) {
  const user = Array.from({ length: n }, (_, i) => `user:${i}`);
  const rnd = sfc32(0x5eed1, 0xc0ffee, 0xbadc0de, 0x1234567);
  const buf = Buffer.allocUnsafe(16 * n);
  for (let i = 0; i < buf.length; i += 4) buf.writeUInt32LE(rnd(), i);
  const hex = Array.from({ length: n }, (_, i) => buf.toString('hex', i * 16, i * 16 + 16));
  return { user, hex };
}

const CONFIGS = {
  'ketama (native, murmur3)': { build: (ids) => ketamaRing(ids), node: (id) => id },
  'modula (native, murmur3)': { build: (ids) => modulaRing(ids), node: (id) => id },
  'twemproxy ketama md5': { build: (ids) => twemproxyRing({ hash: 'md5', servers: ids.map((id) => `${id}:1`) }), node: (id) => `${id}:1` },
  'twemproxy ketama fnv1a_64': { build: (ids) => twemproxyRing({ servers: ids.map((id) => `${id}:1`) }), node: (id) => `${id}:1` },
  'libmemcached consistent ketama': { build: (ids) => libmemcachedRing({ servers: ids, distribution: 'consistent ketama' }), node: (id) => id },
  'libmemcached consistent weighted': { build: (ids) => libmemcachedRing({ servers: ids, distribution: 'consistent weighted', hash: 'md5' }), node: (id) => id },
  'maglev (65537 slots)': { build: (ids) => maglevRing(ids), node: (id) => id },
  'maglev (prime >= 100 x nodes)': { build: (ids) => maglevRing(ids, { tableSize: primeAtLeast(100 * ids.length) }), node: (id) => id },
  'rendezvous (HRW)': { build: (ids) => rendezvousRing(ids), node: (id) => id },
  'rendezvous (HRW), weights 1/2/3': { build: (ids) => rendezvousRing(ids.map((id, i) => ({ id, weight: 1 + (i % 3) }))), node: (id) => id, weighted: true },
  // Jump can only drop its last bucket: "remove" is measured on the last one.
  'jump': { build: (ids) => jumpRing(ids), node: (id) => id, removeLast: true },
  'multi-probe (21 probes)': { build: (ids) => multiProbeRing(ids), node: (id) => id },
};
function primeAtLeast(m) {
  for (let p = m | 1; ; p += 2) {
    let prime = true;
    for (let d = 3; d * d <= p && prime; d += 2) prime = p % d !== 0;
    if (prime) return p;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);

function lookupsPerSec(ring, keys) {
  let acc = 0;
  for (let i = 0; i < Math.min(keys.length, 100_000); i++) acc += ring.locate(keys[i]).length;
  const rates = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let i = 0;
    while (i < keys.length) {
      const end = Math.min(keys.length, i + 1024);
      for (; i < end; i++) acc += ring.locate(keys[i]).length;
      if (performance.now() - t0 > ROUND_MS) break;
    }
    rates.push((i / (performance.now() - t0)) * 1000);
  }
  return acc > 0 ? median(rates) : 0;
}

let _sink; // keeps measured rings reachable until their memory has been read
function memoryPerRing(build, ids) {
  const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const samples = [];
  for (let rep = 0; rep < 3; rep++) {
    gc(); gc();
    const before = used();
    const held = Array.from({ length: 8 }, () => build(ids));
    for (const r of held) r.locate('warm:0');
    gc(); gc();
    samples.push((used() - before) / 8);
    _sink = held;
  }
  _sink = undefined;
  return median(samples);
}

// Balance against each node's fair share (its weight share), so weighted rings are judged fairly.
function balance(ring) {
  const total = ring.nodes.reduce((s, n) => s + n.weight, 0);
  const ratios = ring.nodes.map((n) => ring.shareOf(n.id) / (n.weight / total));
  const cv = Math.sqrt(ratios.reduce((s, x) => s + (x - 1) ** 2, 0) / ratios.length);
  return { maxOverMean: Math.max(...ratios), cv };
}

function movement(config, ring, ids, n) {
  const bigger = ring.withNode(config.node(`cache-${n}:11211`));
  const added = diff(ring, bigger);
  const ideal = config.weighted ? bigger.nodes.at(-1).weight / bigger.nodes.reduce((s, x) => s + x.weight, 0) : 1 / (n + 1);
  const victim = config.removeLast ? ids[n - 1] : ids[n >> 1];
  const removed = diff(ring, ring.withoutNode(victim));
  const stray = removed.flows.filter((f) => f.from !== victim).reduce((s, f) => s + f.share, 0);
  const kind = added.exact ? 'exact' : 'expected';
  const victimIdeal = ring.nodes.find((x) => x.id === victim).weight / ring.nodes.reduce((s, x) => s + x.weight, 0);
  return { add: added.moved / ideal, remove: removed.moved / victimIdeal, stray, kind };
}

const { user, hex } = keysets(KEYS);
const rows = [];
for (const n of NODES) {
  const ids = Array.from({ length: n }, (_, i) => `cache-${i}:11211`);
  for (const [name, config] of Object.entries(CONFIGS)) {
    const builds = [];
    let ring;
    for (let i = 0; i < 5; i++) { const t0 = performance.now(); ring = config.build(ids); ring.locate('warm:0'); builds.push(performance.now() - t0); }
    const b = balance(ring);
    const m = movement(config, ring, ids, n);
    rows.push([n, name, `${fmt(lookupsPerSec(ring, user))} / ${fmt(lookupsPerSec(ring, hex))}`, median(builds).toFixed(2),
      (memoryPerRing(config.build, ids) / 1024).toFixed(0), b.maxOverMean.toFixed(3), b.cv.toFixed(3),
      `x${m.add.toFixed(2)}`, `x${m.remove.toFixed(2)}`, (m.stray * 100).toFixed(2) + '%', m.kind]);
    process.stderr.write(`done n=${n} ${name}\n`);
  }
}

// Zero allocation: 10M lookups of ASCII keys on the native ring, counting minor GCs (scavenges).
function scavengesOver(lookups) {
  const ring = ketamaRing(Array.from({ length: 100 }, (_, i) => `cache-${i}:11211`));
  const keys = user.slice(0, 100_000);
  let acc = 0;
  for (let i = 0; i < 300_000; i++) acc += ring.locate(keys[i % keys.length]).length;
  let scavenges = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
  });
  gc();
  obs.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < lookups; i++) acc += ring.locate(keys[i % keys.length]).length;
  return new Promise((resolve) => setTimeout(() => { obs.disconnect(); resolve({ scavenges, acc }); }, 100));
}

const header = ['nodes', 'configuration', 'lookups/s (user / hex)', 'build ms', 'KiB per ring', 'max/mean', 'CV', 'moved on add (x ideal)', 'moved on remove-middle (x ideal)', 'moved between survivors on remove', 'movement from'];
console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
const { scavenges } = await scavengesOver(10_000_000);
console.log(`\nzero-allocation check: ${scavenges} scavenges over 10M ASCII-key lookups (native ketama, 100 nodes)`);
console.log(`node ${process.version}, ${KEYS} keys per key set`);
