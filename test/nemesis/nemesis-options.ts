// `npm run nemesis -- --backend memcached|redis --seconds N --seed S [--concurrency 64]`: the
// command line, checked. Bad input is a NemesisUsageError naming the flag (exit code 2).
import { BACKENDS, type Backend } from '../chaos/support/chaos-kit.js';

export interface NemesisArgs {
  readonly backend: Backend;
  readonly seconds: number;
  readonly seed: number;
  readonly concurrency: number;
}

export const USAGE = 'usage: npm run nemesis -- --backend memcached|redis --seconds N --seed S [--concurrency 64]';

export class NemesisUsageError extends Error {
  readonly code = 'ERR_INVALID_OPTION';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'NemesisUsageError';
  }
}

const FLAGS = ['--backend', '--seconds', '--seed', '--concurrency'] as const;

export function parseNemesisArgs(argv: readonly string[]): NemesisArgs {
  const given = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 2) {
    const flag = argv[index] ?? '';
    const value = argv[index + 1];
    if (!(FLAGS as readonly string[]).includes(flag)) throw new NemesisUsageError(flag, `unknown flag (expected one of ${FLAGS.join(', ')})`);
    if (value === undefined || value.startsWith('--')) throw new NemesisUsageError(flag, 'expected a value after it');
    if (given.has(flag)) throw new NemesisUsageError(flag, 'given twice');
    given.set(flag, value);
  }
  const backend = required(given, '--backend');
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new NemesisUsageError('--backend', `expected ${BACKENDS.join(' or ')}, got ${JSON.stringify(backend)}`);
  const seconds = Number(required(given, '--seconds'));
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new NemesisUsageError('--seconds', `expected a number of seconds > 0, got ${JSON.stringify(given.get('--seconds'))}`);
  const seedText = required(given, '--seed');
  const seed = Number(seedText);
  if (!/^-?\d+$/.test(seedText) || !Number.isSafeInteger(seed)) throw new NemesisUsageError('--seed', `expected a whole number, got ${JSON.stringify(seedText)}`);
  const concurrencyText = given.get('--concurrency') ?? '64';
  const concurrency = Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new NemesisUsageError('--concurrency', `expected a whole number >= 1, got ${JSON.stringify(concurrencyText)}`);
  return { backend: backend as Backend, seconds, seed, concurrency };
}

function required(given: ReadonlyMap<string, string>, flag: string): string {
  const value = given.get(flag);
  if (value === undefined) throw new NemesisUsageError(flag, 'required');
  return value;
}
