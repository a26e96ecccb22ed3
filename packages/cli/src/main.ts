import { parseArgs } from 'node:util';
import { runDemo } from './commands/demo.js';
import { LOCATE_HELP, runLocate } from './commands/locate.js';
import { runSimulate, SIMULATE_HELP } from './commands/simulate.js';
import { runStats, STATS_HELP } from './commands/stats.js';
import { runVerify, VERIFY_HELP } from './commands/verify.js';
import { UsageError } from './errors.js';

const USAGE = `Usage: shardcache <command> [options]

Commands:
  demo      start a local fleet, route keys across it with a ketama ring, stop it
            --backend memcached|redis   (default memcached)
            --nodes N                   servers to start, 1-16 (default 4)
            --keys N                    keys to route, 1-10000 (default 12)
  locate    which server each key lives on (twemproxy YAML or --servers)
  simulate  what adding or removing servers moves, exactly, per algorithm
  stats     one-shot fleet view from the servers' own counters
  verify    live placement audit: stored keys on nodes the ring would not choose
  help      show this text

shardcache <command> --help shows a command's options.`;

/** Where the CLI writes: injected so tests can read what a person would see. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
  /** All of standard input (for keys piped to `locate`). */
  readStdin?(): Promise<string>;
}

/**
 * Runs one command line and resolves with the process exit code: 0 on success, 2 for a usage
 * error, 1 for any other failure.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { out: console.log, err: console.error });
 */
export async function main(argv: readonly string[], output: CliOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'demo':
        await runDemo(parseDemoOptions(rest), output.out);
        return 0;
      case 'locate':
        if (rest.includes('--help')) output.out(LOCATE_HELP);
        else await runLocate(rest, output, output.readStdin ?? (() => Promise.resolve('')));
        return 0;
      case 'verify':
        if (rest.includes('--help')) output.out(VERIFY_HELP);
        else await runVerify(rest, output);
        return 0;
      case 'stats':
        if (rest.includes('--help')) output.out(STATS_HELP);
        else await runStats(rest, output);
        return 0;
      case 'simulate':
        if (rest.includes('--help')) output.out(SIMULATE_HELP);
        else runSimulate(rest, output);
        return 0;
      case undefined:
      case 'help':
      case '--help':
        output.out(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (caught) {
    const error = isParseArgsError(caught) ? new UsageError(caught.message) : caught;
    if (error instanceof UsageError) {
      output.err(`shardcache: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
    output.err(`shardcache: ${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function parseDemoOptions(args: readonly string[]): { backend: 'memcached' | 'redis'; nodes: number; keys: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { backend: { type: 'string', default: 'memcached' }, nodes: { type: 'string', default: '4' }, keys: { type: 'string', default: '12' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { backend } = values;
  if (backend !== 'memcached' && backend !== 'redis') throw new UsageError(`--backend must be memcached or redis, got "${backend}"`);
  return { backend, nodes: integerOption('--nodes', values.nodes, 1, 16), keys: integerOption('--keys', values.keys, 1, 10_000) };
}

function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return value;
}

/** node:util parseArgs reports bad flags with ERR_PARSE_ARGS_* codes: those are usage errors. */
function isParseArgsError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
