import { InvalidOptionError } from '../errors.js';

/** A node as users may give it. */
export type NodeSpec = string | { readonly host: string; readonly port: number; readonly weight?: number; readonly name?: string };

/** A node as the client uses it: `id` is its name in the ring (`name`, else `host:port`). */
export interface NodeAddress {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
}

const LINE = /^(?:\[(?<ipv6>[^\]]+)\]|(?<host>[^:\s[\]]+)):(?<port>\d+)(?::(?<weight>\d+))?(?:\s+(?<name>\S+))?$/;

/**
 * Parses `"host:port"`, `"host:port:weight"`, twemproxy's `"host:port:weight name"`,
 * `"[::1]:port"`, or `{ host, port, weight, name }`. `option` names the option in errors.
 *
 * @example
 * parseNodeSpec('10.0.0.1:11211:2 cache-a', 'nodes[0]'); // { id: 'cache-a', host: '10.0.0.1', port: 11211, weight: 2 }
 */
export function parseNodeSpec(spec: unknown, option: string): NodeAddress {
  if (typeof spec === 'string') {
    const match = LINE.exec(spec.trim());
    const groups = match?.groups;
    if (groups === undefined) throw new InvalidOptionError(option, `expected "host:port", "host:port:weight" or "host:port:weight name", got ${JSON.stringify(spec)}`);
    const host = groups['ipv6'] ?? groups['host'] ?? '';
    return build(option, host, Number(groups['port']), groups['weight'] === undefined ? 1 : Number(groups['weight']), groups['name']);
  }
  if (typeof spec === 'object' && spec !== null) {
    const { host, port, weight, name } = spec as Record<string, unknown>;
    if (typeof host !== 'string' || host === '') throw new InvalidOptionError(`${option}.host`, `expected a host name or address, got ${JSON.stringify(host)}`);
    if (typeof port !== 'number') throw new InvalidOptionError(`${option}.port`, `expected a number, got ${JSON.stringify(port)}`);
    if (weight !== undefined && typeof weight !== 'number') throw new InvalidOptionError(`${option}.weight`, `expected a number, got ${JSON.stringify(weight)}`);
    if (name !== undefined && (typeof name !== 'string' || name === '')) throw new InvalidOptionError(`${option}.name`, `expected a non-empty string, got ${JSON.stringify(name)}`);
    return build(option, host, port, weight ?? 1, name);
  }
  throw new InvalidOptionError(option, `expected a "host:port" string or { host, port }, got ${spec === null ? 'null' : typeof spec}`);
}

/** Parses a list of node specs, rejecting an empty list and duplicate ids. */
export function parseNodeList(specs: unknown, option = 'nodes'): NodeAddress[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new InvalidOptionError(option, 'expected a non-empty array of nodes');
  const nodes = specs.map((spec: unknown, index) => parseNodeSpec(spec, `${option}[${index}]`));
  const seen = new Set<string>();
  nodes.forEach((node, index) => {
    if (seen.has(node.id)) throw new InvalidOptionError(`${option}[${index}]`, `duplicate node id "${node.id}"`);
    seen.add(node.id);
  });
  return nodes;
}

function build(option: string, host: string, port: number, weight: number, name: string | undefined): NodeAddress {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidOptionError(option, `port must be 1-65535, got ${port}`);
  if (!Number.isFinite(weight) || weight <= 0) throw new InvalidOptionError(option, `weight must be a positive number, got ${weight}`);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { id: name ?? address, host, port, weight };
}
