import { InvalidServerError, InvalidWeightError } from '../errors.js';
import type { RingNode } from '../ring.js';

/** One libmemcached server: `id` is `"host:port"`, as `locate` returns it. */
export interface LibmemcachedServer extends RingNode {
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORT = 11211;

function integer(text: string, line: string, what: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new InvalidServerError(line, `invalid ${what} "${text}"`);
  }
  return Number(text);
}

/**
 * Parses a server the way pylibmc's translate_server_spec does: `"host"`, `"host:port"`,
 * `"host:port:weight"`, or `"[v6]:port:weight"`; the port defaults to 11211 and the weight to 1.
 */
export function parseLibmemcachedServer(line: string): LibmemcachedServer {
  let host: string;
  let rest: string[];
  if (line.startsWith('[')) {
    const close = line.indexOf(']');
    if (close === -1) throw new InvalidServerError(line, 'missing "]" after an IPv6 address');
    host = line.slice(1, close);
    const tail = line.slice(close + 1);
    if (tail !== '' && !tail.startsWith(':')) throw new InvalidServerError(line, 'expected ":port" after "]"');
    rest = tail === '' ? [] : tail.slice(1).split(':');
  } else {
    [host = '', ...rest] = line.split(':');
  }
  if (host === '' || /\s/.test(host)) throw new InvalidServerError(line, 'expected "host[:port[:weight]]"');
  if (rest.length > 2) throw new InvalidServerError(line, 'expected "host[:port[:weight]]"');
  const [portText, weightText] = rest;
  const port = portText === undefined ? DEFAULT_PORT : integer(portText, line, 'port', 0xffff);
  const id = `${host}:${port}`;
  if (weightText !== undefined && /^0+$/.test(weightText)) throw new InvalidWeightError(id, 0);
  // pylibmc passes the weight as an unsigned short.
  const weight = weightText === undefined ? 1 : integer(weightText, line, 'weight', 0xffff);
  return { id, weight, host, port };
}
