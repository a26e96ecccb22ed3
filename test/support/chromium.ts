// Debian's Chromium (scripts/setup.sh installs it), driven by playwright-core: headless, no
// sandbox (tests run as root here), no background networking (it would keep calling hosts this
// machine cannot reach), and a fresh profile per launch. The browser is found by its profile
// (--user-data-dir) and its helpers (zygotes, renderers, GPU and network services) as its
// descendants; all of them are recorded in the PID log (`npm test`'s leak check then proves them
// gone), and `close` waits for each to exit, killing by PID any that lingers.
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
  record(browserProcesses(profile));
  let closed: Promise<void> | undefined;
  return {
    context,
    close: () =>
      (closed ??= (async () => {
        // Taken before closing: once the browser is gone its helpers are no longer its children.
        const started = browserProcesses(profile);
        record(started);
        await context.close();
        const alive = (): ProcessInfo[] => started.filter((known) => commOf(known.pid) === known.comm);
        const deadline = Date.now() + 5000;
        while (alive().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        for (const { pid } of alive()) process.kill(pid, 'SIGKILL');
        rmSync(profile, { recursive: true, force: true });
      })()),
  };
}

interface ProcessInfo {
  readonly pid: number;
  readonly comm: string;
}

/** The processes whose command line names `profile`, and all their descendants (live ones: not zombies). */
export function browserProcesses(profile: string): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        // `pid (comm) state ppid ...`; comm may hold spaces and parentheses, so read from the last ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (state === 'Z') return [];
        return [{ pid: Number(entry), ppid: Number(ppid), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8') }];
      } catch {
        return [];
      }
    });
  const found = new Set(all.filter((info) => info.cmdline.includes(profile)).map((info) => info.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const info of all) {
      if (!found.has(info.pid) && found.has(info.ppid)) {
        found.add(info.pid);
        grew = true;
      }
    }
  }
  return all.filter((info) => found.has(info.pid)).map(({ pid, comm }) => ({ pid, comm }));
}

function commOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  } catch {
    return undefined;
  }
}

function record(processes: readonly ProcessInfo[]): void {
  const log = process.env[PID_LOG_ENV];
  if (log === undefined || log === '') return;
  for (const { pid, comm } of processes) appendFileSync(log, `${JSON.stringify({ pid, comm, port: null, startedAt: new Date().toISOString() })}\n`);
}
