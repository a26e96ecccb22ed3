// Global setup of the cli project: the subprocess tests run the built CLI (dist/bin.js), as a
// user would, so build it first (incremental: a no-op when dist is up to date).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const cli = fileURLToPath(new URL('../..', import.meta.url));
  const build = spawnSync(process.execPath, [tsc, '-b', cli], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the CLI does not build (tsc -b ${cli}), so its subprocess tests cannot run:\n${build.stdout}${build.stderr}`);
}
