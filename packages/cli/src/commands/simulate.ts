import { parseArgs } from 'node:util';
import { diff, type Ring } from '@shardcache/ring';
import { UsageError } from '../errors.js';
import type { CliOutput } from '../main.js';
import { bar, percent, table } from '../internal/output.js';
import { algorithm, isCompatibleRing, nativeRing, RING_OPTIONS, RING_OPTIONS_HELP, ringFromArgs, serverList } from '../internal/ring-args.js';

export const SIMULATE_HELP = `Usage: shardcache simulate --servers LIST [--add LIST] [--remove LIST] [options]
       shardcache simulate --config FILE [--pool NAME] [--add LIST] [--remove LIST] [options]

What a membership change moves, computed exactly from the ring diff (not by sampling keys):
the share of keys that move and from where to where, and each node's load before and after.
With --config, --distribution or --libmemcached it simulates that twemproxy or libmemcached
placement (an ejection there is a --remove: the ring is rebuilt from the servers left);
otherwise --compare puts native algorithms side by side.

${RING_OPTIONS_HELP}
  --add LIST             servers joining (host:port[:weight][ name],...)
  --remove LIST          servers leaving, by id (host:port, as the ring names them)
  --keys N               also show shares as key counts out of N (default 1000000)
  --compare LIST         native algorithms side by side (default ketama): ketama, modula,
                         maglev, rendezvous, jump, multi-probe
  --json
  --help`;

interface Simulation {
  readonly algorithm: string;
  readonly moved: number;
  readonly exact: boolean;
  readonly flows: readonly { from: string; to: string; share: number }[];
  readonly load: readonly { node: string; before: number; after: number }[];
}

/**
 * `shardcache simulate`: the exact effect of adding or removing servers, per algorithm, or for
 * the twemproxy or libmemcached placement the ring options describe.
 *
 * @example
 * runSimulate(['--servers', 'a:1,b:1,c:1', '--add', 'd:1', '--compare', 'ketama,maglev'], output);
 */
export function runSimulate(argv: readonly string[], output: CliOutput): void {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...RING_OPTIONS,
      add: { type: 'string' },
      remove: { type: 'string' },
      keys: { type: 'string', default: '1000000' },
      compare: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.config === undefined && values.servers === undefined) throw new UsageError('simulate needs --servers LIST or --config FILE');
  const add = values.add === undefined ? [] : serverList(values.add, '--add');
  const remove = values.remove === undefined ? [] : serverList(values.remove, '--remove');
  if (add.length === 0 && remove.length === 0) throw new UsageError('simulate needs --add or --remove');
  const keys = Number(values.keys);
  if (!Number.isInteger(keys) || keys <= 0) throw new UsageError(`--keys must be a positive integer, got "${values.keys}"`);
  let rings: Ring[];
  if (isCompatibleRing(values)) {
    if (values.compare !== undefined || values.algorithm !== undefined) throw new UsageError('--compare and --algorithm are for native rings; drop them with --config, --distribution or --libmemcached');
    rings = [ringFromArgs(values)];
  } else {
    if (values.compare !== undefined && values.algorithm !== undefined) throw new UsageError('give --compare or --algorithm, not both');
    const servers = serverList(values.servers);
    rings = (values.compare ?? values.algorithm ?? 'ketama').split(',').map((name) => nativeRing(algorithm(name.trim()), servers));
  }

  const results = rings.map((ring) => simulate(ring, add, remove));
  if (values.json) {
    output.out(JSON.stringify(results));
    return;
  }
  output.out(table(['algorithm', 'keys moved', `of ${keys.toLocaleString('en-US')} keys`, 'exact'], results.map((r) => [r.algorithm, percent(r.moved), Math.round(r.moved * keys).toLocaleString('en-US'), r.exact ? 'yes' : 'expected'])));
  for (const result of results) {
    output.out(`\n${result.algorithm}: where the moving keys go`);
    output.out(table(['from', 'to', 'share', 'keys'], result.flows.map((flow) => [flow.from, flow.to, percent(flow.share), Math.round(flow.share * keys).toLocaleString('en-US')])));
    output.out(`\n${result.algorithm}: load per node (share of keys)`);
    const largest = Math.max(...result.load.map((row) => row.after), Number.EPSILON);
    output.out(table(['node', 'before', 'after', ''], result.load.map((row) => [row.node, row.before === 0 ? '-' : percent(row.before), row.after === 0 ? '-' : percent(row.after), bar(row.after / largest)])));
  }
}

function simulate(before: Ring, add: readonly string[], remove: readonly string[]): Simulation {
  let after = before;
  for (const id of remove) after = after.withoutNode(id);
  for (const server of add) after = after.withNode(server);
  const change = diff(before, after);
  const nodes = [...new Set([...before.nodes.map((node) => node.id), ...after.nodes.map((node) => node.id)])];
  return {
    algorithm: before.hash === 'murmur3' ? before.algorithm : `${before.algorithm} ${before.hash}`,
    moved: change.moved,
    exact: change.exact,
    flows: change.flows,
    load: nodes.map((node) => ({ node, before: before.shareOf(node), after: after.shareOf(node) })),
  };
}
