// Debian's Chromium (scripts/setup.sh installs it), driven by playwright-core: headless, no
// sandbox (tests run as root here), no background networking (it would keep calling hosts this
// machine cannot reach), and a fresh profile per launch. Every Chromium process of that profile
// is found by its --user-data-dir, recorded in the PID log (`npm test`'s leak check then proves
// it gone) and, on close, waited for and killed if it lingers.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { PID_LOG_ENV } from '@shardcache/chaos';

export const CHROMIUM = '/usr/bin/chromium';

export interface Chromium {
  readonly context: BrowserContext;
  /** Closes the browser and resolves once none of its processes is left (killing stragglers); idempotent. */
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'npm run setup' (it installs Debian's chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'shardcache-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  recordPids(processesOf(profile));
  let closed: Promise<void> | undefined;
  return {
    context,
    close: () =>
      (closed ??= (async () => {
        await context.close();
        const deadline = Date.now() + 5000;
        while (processesOf(profile).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        for (const pid of processesOf(profile)) process.kill(pid, 'SIGKILL');
        rmSync(profile, { recursive: true, force: true });
      })()),
  };
}

/** PIDs of live processes whose command line names `profile` (the browser and its children). */
export function processesOf(profile: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // A zombie has exited; its parent has yet to reap it.
        return !/^\d+ \(.*\) Z /.test(status) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function recordPids(pids: readonly number[]): void {
  const log = process.env[PID_LOG_ENV];
  if (log === undefined || log === '') return;
  for (const pid of pids) {
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    appendFileSync(log, `${JSON.stringify({ pid, comm, port: null, startedAt: new Date().toISOString() })}\n`);
  }
}
