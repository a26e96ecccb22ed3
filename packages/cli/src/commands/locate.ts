import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { CliOutput } from '../main.js';
import { RING_OPTIONS, RING_OPTIONS_HELP, ringFromArgs } from '../internal/ring-args.js';
import { table } from '../internal/output.js';

export const LOCATE_HELP = `Usage: shardcache locate [options] KEY...

Which server each key lives on. With no KEY (or "-"), keys are read from stdin, one per line.

${RING_OPTIONS_HELP}
  --json                 one JSON array of { key, node }
  --help`;

/**
 * `shardcache locate`: prints the node of each key.
 *
 * @example
 * await runLocate(['--servers', '10.0.0.1:11211,10.0.0.2:11211', 'user:1'], output, readStdin);
 */
export async function runLocate(argv: readonly string[], output: CliOutput, readStdin: () => Promise<string>): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...RING_OPTIONS, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.config === undefined && values.servers === undefined) throw new UsageError('locate needs --config FILE or --servers LIST');
  const ring = ringFromArgs(values);
  const keys = positionals.length === 0 || (positionals.length === 1 && positionals[0] === '-') ? (await readStdin()).split(/\r?\n/).filter((line) => line !== '') : positionals;
  const placed = keys.map((key) => ({ key, node: ring.locate(key) }));
  if (values.json) output.out(JSON.stringify(placed));
  else output.out(table(['key', 'node'], placed.map(({ key, node }) => [key, node])));
}
