// Every package as npm users get it: packed (`npm pack` runs each package's prepack build),
// the tarballs installed into a fresh application in a temporary folder outside the repository,
// and that application (test/pack/app/) run there as its author would run it: ESM and CommonJS
// (on Node 20, 22 and 24), TypeScript under nodenext and bundler resolution, a get and a set on
// a real memcached, and `npx shardcache --help`.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_VERSIONS, nodeBinary } from '../../scripts/node-versions.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const APP_TEMPLATE = fileURLToPath(new URL('app/', import.meta.url));
const PACKAGES = readdirSync(join(REPO, 'packages')).sort();
const NAMES = PACKAGES.map((name) => `@shardcache/${name}`);
/** One export each package's users reach for first (its own exports test lists them all). */
const MAIN_EXPORT: Record<string, string> = { chaos: 'startFleet', cli: 'main', client: 'ShardedClient', health: 'HealthRegistry', patterns: 'PatternCache', ring: 'ketamaRing' };

/** One entry of `npm pack --json`. */
interface Packed {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// The application sees what a user's shell would: none of npm's script variables (they describe
// the repository when this runs under `npm test`) and no folder of the repository on PATH.
const appEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_'))),
  PATH: (process.env['PATH'] ?? '').split(delimiter).filter((dir) => !dir.startsWith(REPO)).join(delimiter),
};

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: appEnv, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

async function succeed(command: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code} in ${cwd}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** The exact version of a dev dependency the repository uses, so npm can take it from its cache. */
const versionOf = (name: string): string => (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;

const scratch = mkdtempSync(join(tmpdir(), 'shardcache-pack-'));
const tarballs = join(scratch, 'tarballs');
const app = join(scratch, 'app');
let packed: readonly Packed[] = [];

beforeAll(async () => {
  mkdirSync(tarballs);
  const workspaces = PACKAGES.flatMap((name) => ['--workspace', `packages/${name}`]);
  const output = await succeed('npm', ['pack', '--json', '--pack-destination', tarballs, ...workspaces], REPO);
  packed = JSON.parse(output) as Packed[];
  cpSync(APP_TEMPLATE, app, { recursive: true });
  const dependencies = [...packed.map((entry) => join(tarballs, entry.filename)), `typescript@${versionOf('typescript')}`, `@types/node@${versionOf('@types/node')}`];
  await succeed('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...dependencies], app);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(PACKAGES)('the tarball of @shardcache/%s', (name) => {
  const entry = (): Packed => {
    const found = packed.find((candidate) => candidate.name === `@shardcache/${name}`);
    if (found === undefined) throw new Error(`npm pack made no tarball for @shardcache/${name}`);
    return found;
  };

  it('ships its manifest, README, LICENSE, built entry with types, and nothing a user does not need', () => {
    const files = entry().files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
    // Top-level files (CHANGELOG.md once Changesets has written one), the build, the sources its
    // maps point at, and the chaos watchdog.
    const unexpected = files.filter((path) => !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(path) && !/^(dist|src|assets)\//.test(path));
    expect(unexpected).toEqual([]);
    expect(files).not.toContain('dist/.tsbuildinfo');
  });

  it('ships no build output without a source (a stale dist/ file from a removed source)', () => {
    const files = new Set(entry().files.map((file) => file.path));
    const orphans = [...files].filter((path) => path.startsWith('dist/') && !files.has(path.replace(/^dist\//, 'src/').replace(/\.(d\.ts|js)(\.map)?$/, '.ts')));
    expect(orphans).toEqual([]);
  });
});

// The application's checks are independent processes: run them side by side.
describe.concurrent('a fresh application with the tarballs installed', () => {
  it('runs exactly the tarballs: every @shardcache package installed once, from its file', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    const installed = Object.entries(lock.packages).filter(([path]) => path.includes('@shardcache/'));
    expect(installed.map(([path]) => path).sort()).toEqual(NAMES.map((packageName) => `node_modules/${packageName}`));
    for (const [path, { resolved }] of installed) expect(resolved, path).toMatch(/^file:.*\.tgz$/);
  });

  it('imports every package from an ES module', async () => {
    const exported = JSON.parse(await succeed(process.execPath, ['exports.mjs', ...NAMES], app)) as Record<string, string[]>;
    expect(Object.keys(exported)).toEqual(NAMES);
    for (const name of PACKAGES) expect(exported[`@shardcache/${name}`], name).toContain(MAIN_EXPORT[name]);
  });

  it.each([process.versions.node, ...NODE_VERSIONS])('requires every package from CommonJS on Node %s', async (version) => {
    const node = NODE_VERSIONS.includes(version) ? nodeBinary(version) : process.execPath;
    if (!existsSync(node)) throw new Error(`no Node ${version} at ${node}: run npm run setup`);
    const [fromImport, fromRequire] = await Promise.all([succeed(node, ['exports.mjs', ...NAMES], app), succeed(node, ['exports.cjs', ...NAMES], app)]);
    expect(JSON.parse(fromRequire)).toEqual(JSON.parse(fromImport));
  });

  // Our declaration files are checked in full once, under nodenext (skipLibCheck false: what a
  // missing or broken type import in dist/ looks like to a strict user); under bundler only the
  // application's own file is (skipLibCheck true), which is where resolution failures show.
  it.each(['nodenext', 'bundler'])('type-checks an application under moduleResolution %s', async (resolution) => {
    await succeed(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `tsconfig.${resolution}.json`], app);
  });

  it('sets and gets a value through ShardedClient on a real memcached', async () => {
    const read = JSON.parse(await succeed(process.execPath, ['get-set.mjs'], app)) as { value: unknown; node: string; addresses: string[] };
    expect(read.value).toEqual({ name: 'Ada' });
    expect(read.addresses).toContain(read.node);
  });

  it('runs npx shardcache --help', async () => {
    // --no: never fetch some other `shardcache` from the registry if the bin were missing.
    const help = await succeed('npx', ['--no', '--', 'shardcache', '--help'], app);
    expect(help).toMatch(/^Usage: shardcache <command> \[options\]/);
  });
});
