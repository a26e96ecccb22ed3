import { BENCH_HELP, benchCommand } from './commands/bench.js';
import { CHAOS_HELP, chaosCommand } from './commands/chaos.js';
import { DEMO_HELP, demoCommand } from './commands/demo.js';
import { LOCATE_HELP, runLocate } from './commands/locate.js';
import { MEMBERSHIP_HELP, membershipCommand } from './commands/membership.js';
import { runSimulate, SIMULATE_HELP } from './commands/simulate.js';
import { runStats, STATS_HELP } from './commands/stats.js';
import { runVerify, VERIFY_HELP } from './commands/verify.js';
import { UsageError } from './errors.js';
import type { Terminal } from './internal/terminal.js';

const USAGE = `Usage: shardcache <command> [options]

Commands:
  demo      a local fleet under load, on a live dashboard: a node dies, comes back, one
            joins with warm-up, one leaves with a migration; ends with a summary
  chaos     run a chaos scenario (kill, pause, latency, blackhole, flap, corrupt,
            kill-half, kill-all) against a local fleet and check the client held up
  bench     ring: lookups/s per algorithm; client: GET/SET/MGET through ShardedClient
  locate    which server each key lives on (twemproxy YAML, libmemcached or --servers)
  simulate  what adding or removing servers moves, exactly, per algorithm
  stats     one-shot fleet view from the servers' own counters
  verify    live placement audit: stored keys on nodes the ring would not choose
  membership  show, publish (compare-and-swap) or watch the fleet's node list in etcd
  help      show this text

shardcache <command> --help shows a command's options. Exit codes: 0 success, 1 failure
(or a failed check), 2 bad arguments, 130/143 interrupted by SIGINT/SIGTERM.`;

/** Where the CLI writes: injected so tests can read what a person would see. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
  /** All of standard input (for keys piped to `locate`). */
  readStdin?(): Promise<string>;
  /** Standard output, when it is a terminal: the demo's live dashboard draws here. */
  readonly screen?: Terminal;
  /** Standard error, when it is a terminal: progress bars draw here. */
  readonly status?: Terminal;
}

interface Command {
  readonly help: string;
  /** Resolves with the exit code. */
  readonly run: (argv: readonly string[], output: CliOutput) => Promise<number>;
}

/** For commands that either succeed (0) or throw. */
const succeeds =
  (run: (argv: readonly string[], output: CliOutput) => unknown) =>
  async (argv: readonly string[], output: CliOutput): Promise<number> => {
    await run(argv, output);
    return 0;
  };

const COMMANDS: Readonly<Record<string, Command>> = {
  demo: { help: DEMO_HELP, run: demoCommand },
  chaos: { help: CHAOS_HELP, run: chaosCommand },
  bench: { help: BENCH_HELP, run: benchCommand },
  locate: { help: LOCATE_HELP, run: succeeds((argv, output) => runLocate(argv, output, output.readStdin ?? (() => Promise.resolve('')))) },
  simulate: { help: SIMULATE_HELP, run: succeeds(runSimulate) },
  stats: { help: STATS_HELP, run: succeeds(runStats) },
  verify: { help: VERIFY_HELP, run: succeeds(runVerify) },
  membership: { help: MEMBERSHIP_HELP, run: membershipCommand },
};

/**
 * Runs one command line and resolves with the process exit code: 0 on success, 1 for a failure
 * (or a check that did not hold), 2 for a usage error, 130 / 143 when SIGINT / SIGTERM stopped it.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { out: console.log, err: console.error });
 */
export async function main(argv: readonly string[], output: CliOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help') {
    output.out(USAGE);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (command === undefined) throw new UsageError(`unknown command "${name}"`);
    if (rest.includes('--help')) {
      output.out(command.help);
      return 0;
    }
    return await command.run(rest, output);
  } catch (caught) {
    const error = isParseArgsError(caught) ? new UsageError(caught.message) : caught;
    if (error instanceof UsageError) {
      output.err(`shardcache: ${error.message}\n\n${command?.help ?? USAGE}`);
      return 2;
    }
    const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
    output.err(`shardcache: ${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** node:util parseArgs reports bad flags with ERR_PARSE_ARGS_* codes: those are usage errors. */
function isParseArgsError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
