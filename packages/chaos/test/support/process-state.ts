import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** True while a process with this PID exists (zombies included until reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The kernel's name for a process (`/proc/<pid>/comm`), or undefined once it is gone. */
export function commOf(pid: number): string | undefined {
  const file = `/proc/${pid}/comm`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** Direct children of a process, from `/proc/<pid>/task/<tid>/children` (Linux). */
export function childrenOf(pid: number): number[] {
  const tasks = `/proc/${pid}/task`;
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((tid) => {
    let text: string;
    try {
      text = readFileSync(`${tasks}/${tid}/children`, 'utf8').trim();
    } catch {
      // The thread ended between the listing and the read (worker threads come and go).
      return [];
    }
    return text === '' ? [] : text.split(/\s+/).map(Number);
  });
}

/** A process's command line as one string, or undefined once it is gone. */
export function commandLineOf(pid: number): string | undefined {
  const file = `/proc/${pid}/cmdline`;
  return existsSync(file) ? readFileSync(file, 'utf8').split('\0').join(' ').trim() : undefined;
}
