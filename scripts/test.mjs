// `npm test`: lint, type-check, every vitest project, the chaos suite, then the leak check, and
// one closing line `tests: N passed, N failed` that CI reads. The leak check runs even when
// suites fail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scratch = mkdtempSync(join(tmpdir(), 'shardcache-test-'));
const pidLog = join(scratch, 'pids.jsonl');
const report = join(scratch, 'vitest.json');
const chaosReport = join(scratch, 'vitest-chaos.json');
const env = { ...process.env, SHARDCACHE_PID_LOG: pidLog };

function run(title, command, args) {
  console.log(`\n== ${title}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status === 0;
}

let ok = run('lint', 'npx', ['eslint', '--max-warnings', '0', '.']) && run('typecheck', 'npx', ['tsc', '-b']);
if (!ok) {
  rmSync(scratch, { recursive: true, force: true });
  console.log('\ntests: 0 passed, 1 failed (lint or typecheck)');
  process.exit(1);
}

const suitesOk = run('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
// The chaos suite runs alone, after the others: it measures latency on 2 shared cores.
const chaosOk = run('chaos', 'npx', ['vitest', 'run', '--config', 'test/vitest.chaos.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${chaosReport}`]);
const leaksOk = run('leak check', process.execPath, ['scripts/check-leaks.mjs', pidLog]);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of [report, chaosReport]) {
  if (!existsSync(file)) continue;
  const summary = JSON.parse(readFileSync(file, 'utf8'));
  passed += summary.numPassedTests;
  failed += summary.numFailedTests;
  skipped += summary.numPendingTests + summary.numTodoTests;
}
rmSync(scratch, { recursive: true, force: true });
ok = suitesOk && chaosOk && leaksOk && failed === 0 && passed > 0;
if (!leaksOk) failed += 1;
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
