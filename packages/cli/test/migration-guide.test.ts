// Every `shardcache` command in docs/migrating-from-twemproxy.md, run with the built CLI:
// locate and simulate as written (they need no server), verify and stats against a local
// fleet standing in for the guide's 10.0.0.x servers. The output the guide quotes must be real.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@shardcache/chaos';
import { runCli } from './support/run-cli.js';

const GUIDE = readFileSync(fileURLToPath(new URL('../../../docs/migrating-from-twemproxy.md', import.meta.url)), 'utf8');

/** The guide's fenced blocks in order: language ('' for none) and body, indentation removed. */
function fences(): { language: string; body: string }[] {
  const found: { language: string; body: string }[] = [];
  let open: { language: string; indent: number; lines: string[] } | undefined;
  for (const line of GUIDE.split('\n')) {
    const fence = /^( *)```(\w*)$/.exec(line);
    if (fence !== null && open === undefined) open = { language: fence[2] ?? '', indent: fence[1]?.length ?? 0, lines: [] };
    else if (fence !== null && open !== undefined) {
      found.push({ language: open.language, body: open.lines.join('\n') });
      open = undefined;
    } else open?.lines.push(line.slice(open.indent));
  }
  return found;
}

const blocks = (language: string): string[] => fences().filter((fence) => fence.language === language).map((fence) => fence.body);

/** Splits a command line as a POSIX shell would, for the quoting the guide uses ('...', "..."). */
function words(line: string): string[] {
  const result: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const char of line) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current = (current ?? '') + char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current ??= '';
    } else if (/\s/.test(char)) {
      if (current !== undefined) result.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + char;
    }
  }
  if (current !== undefined) result.push(current);
  return result;
}

const commands = blocks('sh').flatMap((block) => block.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('shardcache ')));
const [yaml] = blocks('yaml');
const scratch = mkdtempSync(join(tmpdir(), 'guide-'));
let fleet: Fleet;
/** `10.0.0.N:11211` -> the fleet's Nth server. */
const local = (text: string): string => text.replace(/10\.0\.0\.(\d):11211/g, (_, n: string) => fleet.memcached[Number(n) - 1]?.address ?? 'missing');

beforeAll(async () => {
  fleet = await startFleet({ memcached: 3, proxy: false });
  writeFileSync(join(scratch, 'nutcracker.yml'), yaml ?? '');
  writeFileSync(join(scratch, 'nutcracker.local.yml'), local(yaml ?? ''));
});
afterAll(async () => {
  await fleet.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the migration guide', () => {
  it('shows commands of every kind it talks about', () => {
    expect(new Set(commands.map((command) => words(command)[1]))).toEqual(new Set(['locate', 'verify', 'stats', 'simulate']));
    expect(yaml).toMatch(/^alpha:/);
  });

  it.each(commands)('%s', async (command) => {
    const [, ...args] = words(command);
    const live = args[0] === 'verify' || args[0] === 'stats';
    const run = await runCli(live ? args.map((arg) => (arg === 'nutcracker.yml' ? 'nutcracker.local.yml' : local(arg))) : args, { cwd: scratch });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    if (args[0] === 'verify') expect(run.stdout).toMatch(/node\s+keys sampled\s+misplaced/);
  });

  it('quotes the real output of locate', async () => {
    const command = commands.find((line) => line.startsWith('shardcache locate --config'));
    const all = fences();
    const at = all.findIndex((fence) => fence.body.includes(command ?? 'missing'));
    const quoted = all.slice(at + 1).find((fence) => fence.language === '')?.body ?? '';
    const { stdout } = await runCli(words(command ?? '').slice(1), { cwd: scratch });
    const normal = (text: string): string => text.trim().split('\n').map((line) => line.trim().split(/\s+/).join(' ')).join('\n');
    expect(normal(quoted)).toBe(normal(stdout));
  });

  it('states the crc32 and modula numbers the commands print', async () => {
    const crc = await runCli(words(commands.find((line) => line.includes('--hash crc32')) ?? '').slice(1));
    expect(new Set(crc.stdout.match(/10\.0\.0\.\d:11211/g))).toEqual(new Set(['10.0.0.3:11211']));
    const modula = commands.filter((line) => line.includes('modula'));
    const moved = await Promise.all(modula.map(async (line) => (await runCli([...words(line).slice(1), '--json'])).stdout));
    expect(moved.map((json) => ((JSON.parse(json) as { moved: number }[])[0]?.moved ?? 0).toFixed(3))).toEqual(['0.583', '0.667']);
    expect(GUIDE).toContain('(58.3% of the keys move with twemproxy\'s, 66.7% with libmemcached\'s.)');
  });
});
