// `npm test`: lint, type-check, every vitest project, the unit suites again on Node 22 and 24,
// the packed packages in a fresh application, the chaos suite, the nemesis (one run per
// backend, each counted as a test), then the leak check, and one closing line `tests: N
// passed, N failed` that CI reads. The leak check runs even when suites fail. Before that
// line, each step's duration and the total against the budget, so drift shows in every run's
// log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_VERSIONS, nodeBinary } from './node-versions.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'shardcache-test-'));
const pidLog = join(scratch, 'pids.jsonl');
const env = { ...process.env, SHARDCACHE_PID_LOG: pidLog };
const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const NEMESIS_BACKENDS = ['memcached', 'redis'];
const NEMESIS_SECONDS = 30;
const NEMESIS_SEED = 20261207;
/** The README's promise for a fresh 2-core machine (issue 21). */
const BUDGET_S = 15 * 60;
/** The unit suites, which run again on each of NODE_VERSIONS: which files and why are in the config. */
const UNIT_SUITES = ['--config', 'vitest.units.config.ts'];
const startedAt = performance.now();
const durations = [];
const reports = [];

function run(title, command, args, stepEnv = env, timeoutMs = undefined) {
  console.log(`\n== ${title}: ${[command, ...args].join(' ')}`);
  const stepStartedAt = performance.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: stepEnv, ...(timeoutMs === undefined ? {} : { timeout: timeoutMs, killSignal: 'SIGKILL' }) });
  durations.push({ title, seconds: (performance.now() - stepStartedAt) / 1000 });
  if (result.error !== undefined) console.log(`${title}: ${result.error.message}`);
  return result.status === 0;
}

/** A vitest run on `node`, its counts kept for the closing line. */
function vitest(title, args, node = process.execPath, stepEnv = env) {
  const report = join(scratch, `vitest-${reports.length}.json`);
  reports.push(report);
  return run(title, node, [VITEST, 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], stepEnv);
}

function printDurations() {
  const total = (performance.now() - startedAt) / 1000;
  console.log(`\ndurations: ${durations.map(({ title, seconds }) => `${title} ${seconds.toFixed(1)} s`).join(', ')}`);
  console.log(`total: ${total.toFixed(1)} s (budget ${BUDGET_S} s${total > BUDGET_S ? ', OVER BUDGET' : ''})`);
}

let ok = run('lint', 'npx', ['eslint', '--max-warnings', '0', '.']) && run('typecheck', 'npx', ['tsc', '-b']);
if (!ok) {
  rmSync(scratch, { recursive: true, force: true });
  printDurations();
  console.log('\ntests: 0 passed, 1 failed (lint or typecheck)');
  process.exit(1);
}

const stepsOk = [vitest('tests', process.argv.slice(2))];
for (const version of NODE_VERSIONS) {
  const node = nodeBinary(version);
  if (!existsSync(node)) console.log(`\nnode ${version}: no binary at ${node}; run npm run setup`);
  // Its folder first on PATH: a test that spawns `node` by name gets the same version.
  stepsOk.push(vitest(`node ${version}`, UNIT_SUITES, node, { ...env, PATH: `${dirname(node)}${delimiter}${env.PATH}` }));
}
stepsOk.push(vitest('pack', ['--config', 'test/vitest.pack.config.ts']));
// The chaos suite runs alone, after the others: it measures latency on 2 shared cores.
stepsOk.push(vitest('chaos', ['--config', 'test/vitest.chaos.config.ts']));
// The nemesis (issue 22): overlapping random faults against real servers for 30 s per backend,
// a fixed seed, alone after the chaos suite; its history checker must find nothing. A run that
// has not ended 2 minutes after its load stopped is killed and fails (a process that stopped
// turning was seen 3 times in about 15 redis runs in December; its servers die with it, by their
// watchdog).
const nemesisRuns = NEMESIS_BACKENDS.map((backend) => run(`nemesis ${backend}`, process.execPath, ['--conditions=@shardcache/source', '--import', 'tsx', 'test/nemesis/main.ts', '--backend', backend, '--seconds', String(NEMESIS_SECONDS), '--seed', String(NEMESIS_SEED)], env, (NEMESIS_SECONDS + 120) * 1000));
const leaksOk = run('leak check', process.execPath, ['scripts/check-leaks.mjs', pidLog]);

let passed = 0;
let failed = 0;
let skipped = 0;
/** Each failed test named again beside the closing line: CI keeps only a log's tail. */
const failures = [];
for (const file of reports) {
  // A step that wrote no report (it could not start, or crashed) counts as one failure.
  if (!existsSync(file)) {
    failed += 1;
    continue;
  }
  const summary = JSON.parse(readFileSync(file, 'utf8'));
  passed += summary.numPassedTests;
  failed += summary.numFailedTests;
  skipped += summary.numPendingTests + summary.numTodoTests;
  for (const suite of summary.testResults) {
    for (const test of suite.assertionResults.filter(({ status }) => status === 'failed')) {
      const reason = (test.failureMessages[0] ?? '').split('\n')[0].slice(0, 300);
      failures.push(`${relative(process.cwd(), suite.name)} > ${test.fullName}: ${reason}`);
    }
    // A file that failed outside any test (an import error, a failing beforeAll with no tests run).
    if (suite.status === 'failed' && suite.assertionResults.every(({ status }) => status !== 'failed')) {
      failures.push(`${relative(process.cwd(), suite.name)}: ${(suite.message ?? '').split('\n')[0].slice(0, 300)}`);
    }
  }
}
for (const nemesisOk of nemesisRuns) {
  if (nemesisOk) passed += 1;
  else failed += 1;
}
rmSync(scratch, { recursive: true, force: true });
ok = stepsOk.every(Boolean) && nemesisRuns.every(Boolean) && leaksOk && failed === 0 && passed > 0;
if (!leaksOk) failed += 1;
printDurations();
if (failures.length > 0) console.log(`\nfailed:\n${failures.map((line) => `  ${line}`).join('\n')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
