// The nemesis's command line: bad input is refused naming the flag, with exit code 2.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NemesisUsageError, parseNemesisArgs } from './nemesis-options.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('parseNemesisArgs', () => {
  it('reads the flags, with 64 calls in flight by default', () => {
    expect(parseNemesisArgs(['--backend', 'redis', '--seconds', '2.5', '--seed', '-7'])).toEqual({ backend: 'redis', seconds: 2.5, seed: -7, concurrency: 64 });
    expect(parseNemesisArgs(['--seed', '1', '--concurrency', '8', '--backend', 'memcached', '--seconds', '30']).concurrency).toBe(8);
  });

  it.each([
    [['--backend', 'mongo', '--seconds', '1', '--seed', '1'], '--backend', 'expected memcached or redis, got "mongo"'],
    [['--backend', 'redis', '--seconds', '0', '--seed', '1'], '--seconds', 'expected a number of seconds > 0'],
    [['--backend', 'redis', '--seconds', 'ten', '--seed', '1'], '--seconds', 'got "ten"'],
    [['--backend', 'redis', '--seconds', '1', '--seed', 'abc'], '--seed', 'expected a whole number, got "abc"'],
    [['--backend', 'redis', '--seconds', '1', '--seed', '1.5'], '--seed', 'expected a whole number'],
    [['--backend', 'redis', '--seconds', '1'], '--seed', 'required'],
    [['--backend', 'redis', '--seconds', '1', '--seed', '1', '--concurrency', '0'], '--concurrency', 'expected a whole number >= 1'],
    [['--backend', 'redis', '--secs', '1'], '--secs', 'unknown flag'],
    [['--backend'], '--backend', 'expected a value after it'],
    [['--seed', '1', '--seed', '2'], '--seed', 'given twice'],
  ])('refuses %j naming %s', (argv, option, message) => {
    const error = captured(() => parseNemesisArgs(argv));
    expect(error).toBeInstanceOf(NemesisUsageError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
    expect((error as Error).message).toContain(message);
  });

  it.each([
    ['an unknown backend', ['--backend', 'mongo', '--seconds', '1', '--seed', '1'], '--backend'],
    ['seconds <= 0', ['--backend', 'redis', '--seconds', '-1', '--seed', '1'], '--seconds'],
    ['a seed that is not a number', ['--backend', 'redis', '--seconds', '1', '--seed', 'x'], '--seed'],
  ])('exits with code 2 on %s, printing the usage', (_, argv, option) => {
    const result = spawnSync(process.execPath, ['--conditions=@shardcache/source', '--import', 'tsx', MAIN, ...argv], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`nemesis: ${option}:`);
    expect(result.stderr).toContain('usage: npm run nemesis');
    expect(result.stdout).toBe('');
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
