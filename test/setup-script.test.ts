// `npm run setup`: on a machine without apt and without the servers it must stop at once with a
// message naming what to install, before it touches anything (no npm ci, no build); once it has
// run, the CLI answers as `npx shardcache` from the repository root.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/setup.sh');
const bin = mkdtempSync(join(tmpdir(), 'setup-path-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function run(command: string, args: readonly string[], options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, options, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

it('fails fast and says what to install when the servers are missing and there is no apt-get', async () => {
  // A PATH with the shell tools the script needs, and no memcached, redis-server, apt-get or npm.
  for (const tool of ['bash', 'dirname', 'id']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  const result = await run('/usr/bin/bash', [SCRIPT], { env: { PATH: bin } });
  expect(result.code).toBe(1);
  // The Python modules are looked for through /usr/bin/python3 and Chromium at /usr/bin/chromium
  // (not PATH), so this machine's own may be found: listed only when missing.
  expect(result.stderr).toMatch(/memcached redis-server sasl2-bin( python3-pylibmc)?( python3-redis)?( chromium)? etcd-server not found and this machine has no apt-get/);
  expect(result.stderr).toContain("install memcached (1.6+), redis-server (7+), Cyrus SASL's saslpasswd2 and Chromium (at /usr/bin/chromium) and etcd (3.4+) with your package manager, and pylibmc and redis-py for /usr/bin/python3");
});

it('links the shardcache bin, so npx shardcache works from the repository root after setup', async () => {
  // --no: never fetch some other `shardcache` from the registry if the link were missing.
  const result = await run('npx', ['--no', '--', 'shardcache', '--help'], { cwd: ROOT });
  expect(result.stdout).toMatch(/^Usage: shardcache <command> \[options\]/);
  expect(result.code).toBe(0);
});
