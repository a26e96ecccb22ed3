// The servers this process has started and not yet seen exit. If the process exits or is
// interrupted without stopping them, they are killed here; if it is killed outright, the
// watchdog does it instead.
const live = new Set<number>();
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  removeHooks();
  // Keep the default behaviour (exit by that signal) unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function addHooks(): void {
  process.on('exit', killAll);
  for (const signal of signals) process.on(signal, onSignal);
}

function removeHooks(): void {
  process.off('exit', killAll);
  for (const signal of signals) process.off(signal, onSignal);
}

export function trackLive(pid: number): void {
  if (live.size === 0) addHooks();
  live.add(pid);
}

export function untrackLive(pid: number): void {
  if (live.delete(pid) && live.size === 0) removeHooks();
}
