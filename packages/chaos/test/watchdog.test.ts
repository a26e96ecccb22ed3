import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childrenOf, commandLineOf, isAlive } from './support/process-state.js';

const STAND_IN = fileURLToPath(new URL('./support/runner-stand-in.ts', import.meta.url));

interface StandIn {
  readonly pid: number;
  readonly serverPids: readonly number[];
  readonly watchdogPid: number;
}

async function startStandIn(mode: 'wait' | 'crash' | 'faults'): Promise<StandIn> {
  const child = spawn(process.execPath, ['--import', 'tsx', STAND_IN, mode], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout });
  const [line] = await Promise.race([
    new Promise<string[]>((resolve) => lines.once('line', (text) => resolve([text]))),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`stand-in exited early (${code})`)))),
  ]);
  const parsed: unknown = JSON.parse(line ?? '');
  const serverPids = (parsed as { pids: number[] }).pids;
  const watchdogPid = childrenOf(child.pid ?? 0).find((pid) => commandLineOf(pid)?.includes('watchdog.mjs'));
  if (child.pid === undefined || watchdogPid === undefined) throw new Error('stand-in has no PID or no watchdog');
  return { pid: child.pid, serverPids, watchdogPid };
}

// These prove the servers go away however the runner ends; polling for a process to vanish
// is waiting on a condition, bounded by vitest's poll timeout.
describe('a runner that ends without stopping its fleet', () => {
  it.each(['SIGKILL', 'SIGTERM', 'SIGINT'] as const)('leaves no server behind when it gets %s', async (signal) => {
    const standIn = await startStandIn('wait');
    expect(standIn.serverPids).toHaveLength(4);
    expect(standIn.serverPids.every(isAlive)).toBe(true);

    process.kill(standIn.pid, signal);

    await expect.poll(() => standIn.serverPids.filter(isAlive), { timeout: 5000, interval: 20 }).toEqual([]);
    await expect.poll(() => isAlive(standIn.watchdogPid), { timeout: 5000, interval: 20 }).toBe(false);
  });

  it('leaves no server behind when it crashes with an uncaught error', async () => {
    const standIn = await startStandIn('crash');
    await expect.poll(() => isAlive(standIn.pid), { timeout: 5000, interval: 20 }).toBe(false);
    await expect.poll(() => standIn.serverPids.filter(isAlive), { timeout: 5000, interval: 20 }).toEqual([]);
  });

  it('leaves no server behind when it gets SIGKILL while faults are active (a paused server included)', async () => {
    const standIn = await startStandIn('faults');
    expect(standIn.serverPids.every(isAlive)).toBe(true);
    process.kill(standIn.pid, 'SIGKILL');
    await expect.poll(() => standIn.serverPids.filter(isAlive), { timeout: 5000, interval: 20 }).toEqual([]);
  });
});
