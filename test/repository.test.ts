// The repository's promises to newcomers, checked: the README's two quick-start lines, CI
// running exactly the README's test line, every package's skeleton, and the Docker cluster
// file matching the fleet the README describes.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NODE_VERSIONS } from '../scripts/node-versions.mjs';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const readme = read('README.md');
const PACKAGES = ['ring', 'health', 'client', 'patterns', 'chaos', 'cli'];
const rootManifest = JSON.parse(read('package.json')) as Record<string, unknown>;

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README has no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```\w*\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

describe('README quick start', () => {
  const [block] = codeBlocks(section(readme, 'Quick start'));
  const lines = (block ?? '').trim().split('\n');

  it('is exactly two lines: the demo, then the tests', () => {
    expect(lines).toEqual(['npm run setup && npm run demo', 'npm run setup && npm test']);
  });

  it('is what CI runs, verbatim and nothing else', () => {
    const commands = read('.ci/run')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '));
    expect(commands).toEqual([lines[1]]);
  });

  it('names scripts that exist', () => {
    expect(Object.keys(rootManifest['scripts'] as object)).toEqual(expect.arrayContaining(['setup', 'demo', 'test']));
  });
});

describe.each(PACKAGES)('package %s', (name) => {
  const dir = `packages/${name}/`;
  const manifest = JSON.parse(read(`${dir}package.json`)) as Record<string, unknown>;

  it('has the skeleton: src/index.ts, test/, package.json, tsconfig.json, README.md', () => {
    for (const path of ['src/index.ts', 'test', 'tsconfig.json', 'test/tsconfig.json', 'README.md', 'vitest.config.ts']) {
      expect(existsSync(new URL(`${dir}${path}`, root)), `${dir}${path}`).toBe(true);
    }
    expect(readdirSync(new URL(`${dir}test`, root)).some((file) => file.endsWith('.test.ts'))).toBe(true);
  });

  it('is an ESM package whose exports resolve sources in development and dist with types otherwise', () => {
    expect(manifest).toMatchObject({ name: `@shardcache/${name}`, type: 'module', sideEffects: false });
    const exports = manifest['exports'] as Record<string, Record<string, string>>;
    expect(Object.keys(exports['.'] ?? {})).toEqual(['@shardcache/source', 'types', 'default']);
    // `default`, not `import`: one ESM file for import and require alike (Node >= 20.19 loads it
    // through require(esm), which is why engines starts there).
    expect(exports['.']).toEqual({ '@shardcache/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it('is publishable: engines as tested, built before pack, its own LICENSE, public, with its repository folder', () => {
    expect(manifest['engines']).toEqual(rootManifest['engines']);
    expect(manifest['scripts']).toMatchObject({ prepack: 'tsc -b' });
    expect(manifest['files']).toEqual(expect.arrayContaining(['dist', '!dist/.tsbuildinfo', 'README.md']));
    expect(manifest['publishConfig']).toEqual({ access: 'public' });
    expect(manifest['repository']).toEqual({ ...(rootManifest['repository'] as object), directory: `packages/${name}` });
    // npm packs only the package folder's LICENSE: a copy of the root's, kept identical here.
    expect(read(`${dir}LICENSE`)).toBe(read('LICENSE'));
  });
});

describe('Node versions', () => {
  const engines = (rootManifest['engines'] as { node: string }).node;
  const numbers = (version: string): number[] => version.split('.').map(Number);

  it('engines names exactly the lines npm test runs: the machine\'s Node, and the unit suites\' extra ones', () => {
    const tested = [process.versions.node, ...NODE_VERSIONS];
    const ranges = engines.split('||').map((range) => numbers(range.trim().replace(/^\^/, '')));
    expect(ranges.map(([major]) => major)).toEqual(tested.map((version) => numbers(version)[0]));
    // ... each from a release no newer than the one tested.
    for (const [index, version] of tested.entries()) {
      const [, minMinor = 0] = ranges[index] ?? [];
      expect(numbers(version)[1], `${version} within ${engines}`).toBeGreaterThanOrEqual(minMinor);
    }
  });

  it('is what the README tells CommonJS users', () => {
    expect(readme).toContain(`\`${engines}\``);
  });
});

describe('docker-compose.cluster.yml', () => {
  interface Service {
    image?: unknown;
    ports?: unknown;
    healthcheck?: { test?: unknown };
  }
  const compose = parse(read('docker-compose.cluster.yml'), { merge: true }) as { services: Record<string, Service> };
  const services = Object.entries(compose.services);

  it('runs 3 memcached and 3 redis nodes from official images with pinned versions', () => {
    const images = services.map(([, service]) => String(service.image));
    expect(images.filter((image) => /^memcached:\d+\.\d+\.\d+(-alpine)?$/.test(image))).toHaveLength(3);
    expect(images.filter((image) => /^redis:\d+\.\d+\.\d+(-alpine)?$/.test(image))).toHaveLength(3);
    expect(images).toHaveLength(6);
  });

  it('gives every node a healthcheck and publishes ports on 127.0.0.1 only', () => {
    for (const [name, service] of services) {
      expect(service.healthcheck?.test, name).toBeInstanceOf(Array);
      expect(service.ports, name).toBeInstanceOf(Array);
      for (const port of service.ports as unknown[]) expect(String(port), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('publishes exactly the addresses the README lists, node by node', () => {
    const published = Object.fromEntries(
      services.map(([name, service]) => {
        const [mapping] = service.ports as string[];
        const [host, port] = (mapping ?? '').split(':');
        return [name, `${host}:${port}`];
      }),
    );
    const table = section(readme, 'A Docker cluster');
    const listed = Object.fromEntries([...table.matchAll(/^\| ([\w-]+) \| (127\.0\.0\.1:\d+) \|$/gm)].map((match) => [match[1], match[2]]));
    expect(listed).toEqual(published);
  });
});
