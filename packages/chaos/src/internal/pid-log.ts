import { appendFileSync } from 'node:fs';

/** Environment variable naming a file where every started server's PID is appended. */
export const PID_LOG_ENV = 'SHARDCACHE_PID_LOG';

/** One line of the PID log (JSON lines), read back by `scripts/check-leaks.mjs`. */
export interface PidRecord {
  readonly pid: number;
  /** The process name as the kernel reports it (`/proc/<pid>/comm`), to tell reused PIDs apart. */
  readonly comm: string;
  readonly port: number | null;
  readonly startedAt: string;
}

/**
 * Records a PID so that the last step of `npm test` can prove the process is gone. Does
 * nothing unless SHARDCACHE_PID_LOG is set. Written synchronously: the record must exist
 * even if this process is killed a moment later.
 */
export function recordPid(record: PidRecord): void {
  const file = process.env[PID_LOG_ENV];
  if (file === undefined || file === '') return;
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}
