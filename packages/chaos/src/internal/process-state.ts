import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Resolves once the kernel reports `pid` stopped (state `T` in /proc/<pid>/stat). A SIGSTOP is
 * delivered asynchronously: until every thread has stopped, a server can still answer a request
 * sent after `kill()` returned. Gives up quietly after `timeoutMs`, and where /proc is absent.
 */
export async function whenStopped(pid: number, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await processState(pid);
    if (state === undefined || state === 'T' || state === 't') return;
    await delay(1);
  }
}

/** The one-letter state of /proc/<pid>/stat (after the command name in parentheses), or undefined. */
async function processState(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2) || undefined;
  } catch {
    return undefined;
  }
}
