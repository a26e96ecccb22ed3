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
    [['demo', '--nodes', '2'], /--nodes must be an integer from 3 to 12, got "2"/],
    [['demo', '--keys', '2.5'], /--keys must be an integer from 100 to 100000, got "2.5"/],
    [['demo', '--duration', 'soon'], /--duration must be a number of seconds from 5 to 3600, got "soon"/],
    [['demo', '--duration', '4'], /--duration must be a number of seconds from 5 to 3600, got "4"/],
    [['demo', '--rate', '0'], /--rate must be an integer from 100 to 50000, got "0"/],
    [['demo', '--colour'], /Unknown option '--colour'/],
    [['demo', 'now'], /Unexpected argument 'now'/],
  ])('exits 2 on %j and names what is wrong', async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('shows the command\'s own usage after a usage error', async () => {
    const { err } = await run('demo', '--nodes', '2');
    expect(err).toMatch(/Usage: shardcache demo/);
    expect(err).toMatch(/Exit codes: 0 done/);
  });
});
