import { parseArgs } from 'node:util';
import { etcdMembership, type EtcdMembership, type MembershipChange, type MembershipView } from '@shardcache/client';
import { UsageError } from '../errors.js';
import type { CliOutput } from '../main.js';
import { integerOption } from '../internal/options.js';
import { aborted, watchInterrupts } from '../internal/interrupt.js';

export const MEMBERSHIP_HELP = `Usage: shardcache membership show|publish|watch --etcd URL[,URL...] --prefix P [options]

The fleet's node list in etcd (etcdMembership), at <prefix>/nodes; its epoch is the key's
mod_revision.

  show                 the list and its epoch
  publish              change the list, as a compare-and-swap on the epoch read (or --if-epoch):
    --add LIST           host:port[:weight],... to add
    --remove LIST        node ids to remove
    --weight ID=W,...    new weights
    --nodes LIST         replace the whole list instead
    --if-epoch N         publish only if the epoch is still N (ERR_MEMBERSHIP_CONFLICT otherwise)
  watch                each new list as it arrives, and when etcd is lost or back, until
                       Ctrl-C (or --count N lists)

  --etcd URL,...       etcd client URLs (http://host:2379)
  --prefix P           the key prefix (/shardcache/sessions)
  --json               JSON (watch: one object a line)
  --help`;

const ACTIONS = ['show', 'publish', 'watch'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * `shardcache membership`: show, publish or watch the node list an etcdMembership follows.
 *
 * @example
 * await membershipCommand(['publish', '--etcd', 'http://127.0.0.1:2379', '--prefix', '/app', '--add', '10.0.0.9:11211'], output);
 */
export async function membershipCommand(argv: readonly string[], output: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      etcd: { type: 'string' },
      prefix: { type: 'string' },
      add: { type: 'string' },
      remove: { type: 'string' },
      weight: { type: 'string' },
      nodes: { type: 'string' },
      'if-epoch': { type: 'string' },
      count: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  const action = positionals[0];
  if (positionals.length !== 1 || !ACTIONS.includes(action as Action)) throw new UsageError(`expected one of ${ACTIONS.join(', ')}, got ${positionals.length === 0 ? 'none' : `"${positionals.join(' ')}"`}`);
  if (values.etcd === undefined || values.etcd.trim() === '') throw new UsageError('--etcd is required (http://host:2379,...)');
  if (values.prefix === undefined || values.prefix.trim() === '') throw new UsageError('--prefix is required');
  const membership = etcdMembership({ endpoints: list(values.etcd), prefix: values.prefix });
  try {
    switch (action as Action) {
      case 'show':
        show(await membership.read(), membership.key, values.json, output);
        return 0;
      case 'publish': {
        const ifEpoch = values['if-epoch'] === undefined ? undefined : integerOption('--if-epoch', values['if-epoch'], 0, Number.MAX_SAFE_INTEGER);
        const options = ifEpoch === undefined ? {} : { ifEpoch };
        if (values.nodes !== undefined && (values.add ?? values.remove ?? values.weight) !== undefined) throw new UsageError('--nodes replaces the list: give it alone, or --add/--remove/--weight');
        const epoch = values.nodes === undefined ? await membership.publish(change(values), options) : await membership.replace(list(values.nodes), options);
        show(await membership.read(), membership.key, values.json, output, epoch);
        return 0;
      }
      case 'watch':
        return await watch(membership, values.count === undefined ? Infinity : integerOption('--count', values.count, 1, 1_000_000), values.json, output);
    }
  } finally {
    await membership.close();
  }
}

function show(view: MembershipView, key: string, json: boolean, output: CliOutput, published?: number): void {
  if (json) output.out(JSON.stringify({ key, epoch: view.epoch, nodes: view.nodes }));
  else if (view.epoch === 0) output.out(`${key}: no node list yet`);
  else output.out(`${published === undefined ? '' : 'published: '}${key} epoch ${view.epoch}: ${view.nodes.map(describe).join(', ')}`);
}

/** Prints each newer list (the first is the current one) and each status change. */
async function watch(membership: EtcdMembership, count: number, json: boolean, output: CliOutput): Promise<number> {
  const interrupts = watchInterrupts();
  let seen = 0;
  let done: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const line = (text: string, object: Record<string, unknown>): void => output.out(json ? JSON.stringify({ ...object, at: new Date().toISOString() }) : `${new Date().toISOString()} ${text}`);
  const stop = membership.watch(
    (view) => {
      line(`epoch ${view.epoch}: ${view.nodes.map(describe).join(', ')}`, { event: 'view', epoch: view.epoch, nodes: view.nodes });
      if (++seen >= count) done();
    },
    (error) => {
      const code = (error as { code?: unknown }).code;
      line(`${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`, { event: 'error', code, message: error instanceof Error ? error.message : String(error) });
    },
    (status) => line(status.state === 'alone' ? `alone: ${status.reason ?? ''}` : 'following etcd again', { event: 'status', ...status }),
  );
  try {
    await Promise.race([enough, aborted(interrupts.signal)]);
    return interrupts.exitCode ?? 0;
  } finally {
    stop();
    interrupts.dispose();
  }
}

function change(values: { add?: string; remove?: string; weight?: string }): MembershipChange {
  if (values.add === undefined && values.remove === undefined && values.weight === undefined) throw new UsageError('publish needs --add, --remove, --weight or --nodes');
  const weights: Record<string, number> = {};
  for (const pair of values.weight === undefined ? [] : list(values.weight)) {
    const at = pair.lastIndexOf('=');
    const weight = Number(pair.slice(at + 1));
    if (at <= 0 || !Number.isFinite(weight) || weight <= 0) throw new UsageError(`--weight expects ID=W with W > 0, got "${pair}"`);
    weights[pair.slice(0, at)] = weight;
  }
  return {
    ...(values.add === undefined ? {} : { add: list(values.add) }),
    ...(values.remove === undefined ? {} : { remove: list(values.remove) }),
    ...(values.weight === undefined ? {} : { weights }),
  };
}

function list(text: string): string[] {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

function describe(node: MembershipView['nodes'][number]): string {
  return typeof node === 'string' ? node : `${node.name ?? `${node.host}:${node.port}`}${node.weight === undefined || node.weight === 1 ? '' : ` (weight ${node.weight})`}`;
}
