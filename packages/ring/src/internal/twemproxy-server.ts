import { InvalidServerError, InvalidWeightError } from '../errors.js';
import type { RingNode } from '../ring.js';
import { utf8Bytes } from './utf8.js';

/**
 * One server of a twemproxy pool. `id` is `"host:port"` (what `locate` returns); `name` is the
 * label its ketama points are hashed from: the line's name, else `host:port`, else `host` when the
 * port is 11211 (twemproxy keeps libmemcached's convention).
 */
export interface TwemproxyServer extends RingNode {
  readonly name: string;
  readonly host: string;
  /** 0 for a unix socket. */
  readonly port: number;
}

const DEFAULT_KETAMA_PORT = 11211;

/** twemproxy's nc_atoi: decimal digits only, else -1. */
function atoi(text: string): number {
  if (!/^\d+$/.test(text)) return -1;
  const value = Number(text);
  return value > 0x7fffffff ? -1 : value;
}

/**
 * Parses `"host:port:weight [name]"` or `"/path/socket:weight [name]"` the way twemproxy's
 * conf_add_server does: from the end, the name after the last space, then the weight after the
 * last colon, then the port after the colon before it (so IPv6 hosts keep their colons).
 */
export function parseTwemproxyServer(line: string): TwemproxyServer {
  if (line.length === 0) throw new InvalidServerError(line, 'empty server line');
  const space = line.lastIndexOf(' ');
  const name = space === -1 ? undefined : line.slice(space + 1);
  if (name === '') throw new InvalidServerError(line, 'empty name after the space');
  const address = space === -1 ? line : line.slice(0, space);
  const weightColon = address.lastIndexOf(':');
  if (weightColon === -1) throw new InvalidServerError(line, 'expected "host:port:weight [name]" or "/path:weight [name]"');
  const weight = atoi(address.slice(weightColon + 1));
  const rest = address.slice(0, weightColon);
  const unix = line.startsWith('/');
  let host = rest;
  let port = 0;
  if (unix) {
    if (rest.includes(':')) throw new InvalidServerError(line, 'a unix socket line is "/path:weight [name]"');
  } else {
    const portColon = rest.lastIndexOf(':');
    if (portColon === -1) throw new InvalidServerError(line, 'expected "host:port:weight [name]" (the weight is required)');
    host = rest.slice(0, portColon);
    port = atoi(rest.slice(portColon + 1));
    if (port < 1 || port > 0xffff) throw new InvalidServerError(line, `invalid port "${rest.slice(portColon + 1)}"`);
  }
  if (weight < 0) throw new InvalidServerError(line, `invalid weight "${address.slice(weightColon + 1)}"`);
  const id = unix ? host : `${host}:${port}`;
  if (weight === 0) throw new InvalidWeightError(id, 0, 'twemproxy refuses a zero weight');
  // Without a name, a unix socket's label is its path plus the colon (namelen = addrlen + 1).
  const label = name ?? (unix ? `${host}:` : port === DEFAULT_KETAMA_PORT ? host : id);
  return { id, weight, name: label, host, port };
}

/** twemproxy's string_compare on names: shorter first, then bytes (unsigned). */
export function compareTwemproxyNames(a: TwemproxyServer, b: TwemproxyServer): number {
  const x = utf8Bytes(a.name);
  const y = utf8Bytes(b.name);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
