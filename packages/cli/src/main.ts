import { parseArgs } from 'node:util';
import { runDemo } from './commands/demo.js';
import { CliError, UsageError } from './errors.js';

const USAGE = `Usage: shardcache <command> [options]

Commands:
  demo    start a local fleet, route keys across it with a ketama ring, stop it
          --backend memcached|redis   (default memcached)
          --nodes N                   servers to start, 1-16 (default 4)
          --keys N                    keys to route, 1-10000 (default 12)
  help    show this text`;

/** Where the CLI writes: injected so tests can read what a person would see. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
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
      case undefined:
      case 'help':
      case '--help':
        output.out(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`shardcache: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    output.err(`shardcache: ${error instanceof CliError ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}`);
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
