// The last step of `npm test`: proves that every process the fleets recorded is gone.
//
// Each server (and each fleet watchdog) appends {pid, comm, port} to the file named by
// SHARDCACHE_PID_LOG when it starts. A test cannot see what outlives the test run, so this
// runs after it: any recorded PID that still belongs to a process with the recorded name
// (PIDs are reused) is a leak. Leaks are reported, then killed, and the check fails.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

// A watchdog may still be finishing its SIGKILLs when the runner returns.
const GRACE_MS = Number(process.env.SHARDCACHE_LEAK_GRACE_MS ?? 3000);

const file = process.argv[2] ?? process.env.SHARDCACHE_PID_LOG;
if (!file) fail('usage: check-leaks.mjs PID_LOG (or set SHARDCACHE_PID_LOG)');
if (!existsSync(file)) fail(`no PID log at ${file}: no fleet recorded anything, so nothing was proven`);

const records = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
const servers = records.filter((record) => record.comm !== 'node');
if (servers.length === 0) fail(`${file} lists no server: the suites started no fleet, so nothing was proven`);

function commOf(pid) {
  try {
    if (existsSync('/proc')) return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim().split('/').pop();
  } catch {
    return undefined;
  }
}

const stillRunning = () => records.filter((record) => commOf(record.pid) === record.comm);

const deadline = Date.now() + GRACE_MS;
let leaked = stillRunning();
while (leaked.length > 0 && Date.now() < deadline) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  leaked = stillRunning();
}

if (leaked.length > 0) {
  for (const record of leaked) {
    console.error(`leak: ${record.comm} pid ${record.pid} port ${record.port ?? '-'} started ${record.startedAt} is still running; killing it`);
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  fail(`${leaked.length} of ${records.length} recorded processes outlived the test run`);
}
console.log(`leak check: all ${records.length} recorded processes are gone (${servers.length} servers, ${records.length - servers.length} watchdogs)`);

function fail(message) {
  console.error(`leak check failed: ${message}`);
  process.exit(1);
}
