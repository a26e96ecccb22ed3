import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { recordPid } from './pid-log.js';

// src/internal/ and dist/internal/ are both two levels below the package root.
const SCRIPT = fileURLToPath(new URL('../../assets/watchdog.mjs', import.meta.url));

let watchdog: ChildProcess | undefined;

function ensureWatchdog(): ChildProcess {
  if (watchdog?.stdin?.writable === true) return watchdog;
  // Its own process group: a Ctrl-C aimed at the test run reaches the servers' parent, whose
  // death the watchdog then notices, instead of killing the watchdog first.
  const child = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.unref();
  if (child.stdin instanceof Socket) child.stdin.unref();
  child.stdin?.on('error', () => {
    // The watchdog died; the next registration starts a new one.
  });
  if (child.pid !== undefined) {
    recordPid({ pid: child.pid, comm: 'node', port: null, startedAt: new Date().toISOString() });
  }
  watchdog = child;
  return child;
}

function send(line: string): Promise<void> {
  const stdin = ensureWatchdog().stdin;
  if (stdin === null) return Promise.resolve();
  return new Promise((resolve) => stdin.write(`${line}\n`, () => resolve()));
}

/** Asks the watchdog to SIGKILL `pid` if this process dies before calling `unwatch(pid)`. */
export function watch(pid: number): Promise<void> {
  return send(`+${pid}`);
}

/** Tells the watchdog that `pid` was stopped and must not be touched again (PIDs are reused). */
export function unwatch(pid: number): Promise<void> {
  return watchdog === undefined ? Promise.resolve() : send(`-${pid}`);
}
