import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (line) => (out += `${line}\n`), err: (line) => (err += `${line}\n`) });
  return { code, out, err };
}

describe('shardcache command line', () => {
  it('prints usage for help and for no command', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const { code, out } = await run(...argv);
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: shardcache <command>/);
    }
  });

  it.each([
    [['nope'], /unknown command "nope"/],
    [['demo', '--backend', 'mongodb'], /--backend must be memcached or redis, got "mongodb"/],
    [['demo', '--nodes', '0'], /--nodes must be an integer from 1 to 16, got "0"/],
    [['demo', '--keys', '2.5'], /--keys must be an integer from 1 to 10000, got "2.5"/],
    [['demo', '--colour'], /Unknown option '--colour'/],
  ])('exits 2 on %j and names what is wrong', async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
