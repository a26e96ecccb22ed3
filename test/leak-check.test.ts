// scripts/check-leaks.mjs is the last step of `npm test`; these show it can fail.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@shardcache/chaos';

const SCRIPT = fileURLToPath(new URL('../scripts/check-leaks.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'leak-check-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function checkLeaks(records: readonly object[]): Promise<{ code: number; output: string }> {
  const log = join(scratch, `pids-${records.length}-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(log, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, log], { env: { ...process.env, SHARDCACHE_LEAK_GRACE_MS: '100' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), output: stdout + stderr });
    });
  });
}

const recordOf = (server: ServerProcess): object => ({ pid: server.pid, comm: 'memcached', port: server.port, startedAt: new Date().toISOString() });

describe('the leak check', () => {
  it('passes when every recorded server has exited', async () => {
    const server = await ServerProcess.start('memcached');
    await server.stop();
    const { code, output } = await checkLeaks([recordOf(server)]);
    expect(output).toMatch(/all 1 recorded processes are gone/);
    expect(code).toBe(0);
  });

  it('fails, names the process and kills it when a recorded server is still running', async () => {
    const server = await ServerProcess.start('memcached');
    const { code, output } = await checkLeaks([recordOf(server)]);
    expect(output).toMatch(new RegExp(`leak: memcached pid ${server.pid} port ${server.port}`));
    expect(code).toBe(1);
    await server.exited;
    expect(server.running).toBe(false);
  });

  it('does not mistake a reused PID for a leak', async () => {
    const { code } = await checkLeaks([{ pid: process.pid, comm: 'memcached', port: 1, startedAt: '' }]);
    expect(code).toBe(0);
  });

  it('fails when nothing was recorded, since then it proves nothing', async () => {
    const { code, output } = await checkLeaks([]);
    expect(output).toMatch(/lists no server/);
    expect(code).toBe(1);
  });
});
