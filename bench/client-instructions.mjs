// Instructions per call of ShardedClient's get, set and getMany (10 keys), counted by
// valgrind's callgrind over a fixed workload against in-memory nodes: repeatable whatever else
// the machine does, so two builds can be compared to a few per cent where a timed benchmark on
// shared cores cannot. Each operation runs twice in fresh processes, both first warming up with
// W calls (so the JIT has compiled the path), then 0 and N more; the difference over N calls is
// the cost of a warm call with startup and warm-up taken out.
//
//   npm run build && node bench/client-instructions.mjs [N] [W]             # this build
//   node bench/client-instructions.mjs [N] [W] /path/to/other/checkout    # both, side by side
//   OPS=set node bench/client-instructions.mjs                            # one operation
//
// Needs valgrind (Debian: `apt-get install valgrind`). Nothing in the count may depend on how
// fast the machine runs: Node runs with --predictable (no background compiler or GC threads,
// whose work callgrind would count at random, and V8's own clock a counter, so incremental GC
// steps sized in milliseconds do the same work every run), --predictable-gc-schedule (no heap
// growth, idle or memory-reducer GC decided by elapsed time) and --max-semi-space-size fixed,
// with a full collection before the measured calls; the client runs on a clock that advances
// by a fixed step per reading and whose timers never fire (under callgrind a timer fires after
// a number of calls that depends on the machine's load, and each one re-arms the deadline
// timer). With --single-threaded alone, one build's counts differed by up to 25 % run to run;
// with all of the above most rounds agree within 0.1-0.4 %, but about one count in five still
// jumps by ~2,000 instructions per call either way (some 100 million in one of its two
// processes: a collection or a recompilation landing in one window only). Compare the median
// of three rounds or more, never one round.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// OPS=set (or get,getMany) measures only those.
const OPS = process.env.OPS?.split(',') ?? ['get', 'set', 'getMany'];

if (process.argv[2] === '--workload') {
  await workload(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]));
} else {
  const n = Number(process.argv[2] ?? 50_000);
  const warm = Number(process.argv[3] ?? 100_000);
  const roots = [resolve(here, '..'), ...(process.argv[4] === undefined ? [] : [resolve(process.argv[4])])];
  const results = roots.map((root) => Object.fromEntries(OPS.map((op) => [op, perCall(root, op, n, warm)])));
  console.log(`instructions per call (callgrind, ${n} calls after ${warm} to warm up, startup and warm-up subtracted)`);
  console.log(`${'operation'.padEnd(12)}${roots.map((root, i) => (i === 0 ? 'this build' : root).padStart(16)).join('')}${roots.length > 1 ? 'change'.padStart(10) : ''}`);
  for (const op of OPS) {
    const counts = results.map((result) => result[op]);
    const change = counts.length > 1 ? `${(((counts[0] - counts[1]) / counts[1]) * 100).toFixed(2).padStart(9)}%` : '';
    console.log(`${op.padEnd(12)}${counts.map((count) => count.toFixed(0).padStart(16)).join('')}${change}`);
  }
}

/** Instructions per warm call of `op` with the client built in `root`. */
function perCall(root, op, n, warm) {
  return (instructions(root, op, warm, n) - instructions(root, op, warm, 0)) / n;
}

function instructions(root, op, warm, calls) {
  const dir = mkdtempSync(join(tmpdir(), 'shardcache-callgrind-'));
  try {
    const out = join(dir, 'callgrind.out');
    execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--predictable', '--predictable-gc-schedule', '--random-seed=1', '--expose-gc', '--max-semi-space-size=16', fileURLToPath(import.meta.url), '--workload', root, op, String(warm), String(calls)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const file = readdirSync(dir).map((name) => join(dir, name)).find((path) => path.startsWith(out));
    const totals = readFileSync(file, 'utf8').match(/^(?:totals|summary): (\d+)/m);
    if (totals === null) throw new Error(`no totals in ${file}`);
    return Number(totals[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The measured process: `warm` then `calls` calls of `op`, one at a time, against nodes that answer at once. */
async function workload(root, op, warm, calls) {
  const { ShardedClient } = await import(pathToFileURL(join(root, 'packages/client/dist/index.js')).href);
  // This checkout's node, so both builds run the same workload.
  const { instantNode } = await import(pathToFileURL(join(here, 'instant-node.mjs')).href);
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => (now += 0.001), schedule: () => () => undefined };
  const client = new ShardedClient({ backend: 'redis', nodes: ['a:1', 'b:1', 'c:1', 'd:1'], nodeFactory: instantNode, defaultTtl: 'never', clock });
  const keys = Array.from({ length: 1000 }, (_, i) => `user:${i}`);
  const value = 'x'.repeat(100);
  const call = {
    get: (i) => client.get(keys[i % 1000]),
    set: (i) => client.set(keys[i % 1000], value),
    getMany: (i) => client.getMany(keys.slice(i % 990, (i % 990) + 10)),
  }[op];
  for (let i = 0; i < warm; i++) await call(i);
  // A full collection first, in both runs: the warm-up's garbage is not collected in the
  // measured window of one of them only (a major GC there is millions of instructions).
  globalThis.gc();
  for (let i = warm; i < warm + calls; i++) await call(i);
  await client.close();
}
