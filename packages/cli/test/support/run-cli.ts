// Runs the built CLI as a subprocess and reports what a user would see, plus every process
// its fleets recorded (the chaos toolkit appends each PID to SHARDCACHE_PID_LOG).
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** One line of the PID log. */
export interface PidRecord {
  readonly pid: number;
  readonly comm: string;
  readonly port: number | null;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every process the run's fleets started (servers and watchdogs). */
  readonly pids: readonly PidRecord[];
}

/** `node dist/bin.js ...args` with NO_COLOR, its own PID log, and `stdin` piped in. */
export function runCli(args: readonly string[], options: { readonly stdin?: string; readonly timeoutMs?: number; readonly cwd?: string } = {}): Promise<CliRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'cli-run-'));
  const pidLog = join(scratch, 'pids.jsonl');
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1', SHARDCACHE_PID_LOG: pidLog }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) },
      (error, stdout, stderr) => {
        const log = existsSync(pidLog) ? readFileSync(pidLog, 'utf8') : '';
        rmSync(scratch, { recursive: true, force: true });
        // The suite's own leak check (npm test) must know about these processes too.
        const outer = process.env['SHARDCACHE_PID_LOG'];
        if (outer !== undefined && outer !== '' && log !== '') appendFileSync(outer, log);
        const pids = log.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as PidRecord);
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr, pids });
      },
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

/** Whether a recorded process still runs (same PID and the same name: PIDs are reused). */
export function isRunning(record: PidRecord): boolean {
  try {
    return readFileSync(`/proc/${record.pid}/comm`, 'utf8').trim() === record.comm;
  } catch {
    return false;
  }
}
