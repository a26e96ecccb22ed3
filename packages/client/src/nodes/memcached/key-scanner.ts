import { once } from 'node:events';
import { ConnectionError, ServerError, ShardcacheError } from '../../errors.js';
import { dial, type DialTarget } from './dial.js';
import { METADUMP_ALL } from './meta-protocol.js';

/** One item as `lru_crawler metadump` reports it. */
export interface ScannedKey {
  readonly key: string;
  /** When it expires, as a Unix time in seconds; null for never. */
  readonly exp: number | null;
  /** Last access, as a Unix time in seconds. */
  readonly lastAccess: number;
  readonly cas: string;
  /** Whether it was read since it was stored. */
  readonly fetched: boolean;
  readonly slabClass: number;
  /** Bytes the item takes in memory (key, value and overhead). */
  readonly size: number;
}

/** Where to scan, and how long the server may stay silent before the scan fails. */
export interface ScanTarget extends DialTarget {
  readonly id: string;
  readonly idleTimeoutMs: number;
}

const MAX_LINE = 8192;

/**
 * Streams every key of one server through `lru_crawler metadump all` on a connection of its
 * own (the server refuses other commands on it while it dumps). The socket is read only as
 * fast as the consumer iterates, and closed when the loop ends or breaks. The dump is a
 * snapshot in motion: keys written during the scan may or may not appear.
 *
 * @example
 * for await (const { key, exp } of scanKeys(target)) console.log(key, exp);
 */
export async function* scanKeys(target: ScanTarget, signal?: AbortSignal): AsyncGenerator<ScannedKey, void, undefined> {
  const { id } = target;
  signal?.throwIfAborted();
  const { socket, ready } = dial(target);
  // A dedicated stream: a plain idle timer is the right tool here (no per-call deadlines). The
  // socket's own timer, not the clock's: it measures the socket's silence, reset on every read.
  socket.setTimeout(target.idleTimeoutMs, () => socket.destroy(new ConnectionError(id, `key scan: no data for ${target.idleTimeoutMs} ms`)));
  const abort = (): void => {
    socket.destroy(signal?.reason instanceof Error ? signal.reason : new ConnectionError(id, 'key scan aborted'));
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await once(socket, ready);
    socket.write(METADUMP_ALL);
    let rest = '';
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      const text = rest + chunk.toString('latin1');
      let start = 0;
      let end: number;
      while ((end = text.indexOf('\n', start)) !== -1) {
        const line = text.slice(start, text[end - 1] === '\r' ? end - 1 : end);
        start = end + 1;
        if (line === 'END') return;
        yield parseDumpLine(id, line);
      }
      rest = text.slice(start);
      if (rest.length > MAX_LINE) throw new ConnectionError(id, `key scan: no line end within ${MAX_LINE} bytes`);
    }
    throw new ConnectionError(id, 'key scan: the connection closed before END');
  } catch (error) {
    if (error instanceof ShardcacheError || error === signal?.reason) throw error;
    throw new ConnectionError(id, `key scan: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    signal?.removeEventListener('abort', abort);
    socket.destroy();
  }
}

/** `key=<url-encoded> exp=<unix|-1> la=<unix> cas=<n> fetch=<yes|no> cls=<n> size=<n>`. */
function parseDumpLine(id: string, line: string): ScannedKey {
  if (!line.startsWith('key=')) throw new ServerError(id, `key scan: ${line.slice(0, 120)}`);
  const fields = new Map<string, string>();
  for (const part of line.split(' ')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals), part.slice(equals + 1));
  }
  const number = (name: string): number => {
    const value = Number(fields.get(name));
    if (!Number.isFinite(value)) throw new ConnectionError(id, `key scan: bad ${name} in ${JSON.stringify(line.slice(0, 120))}`);
    return value;
  };
  const exp = number('exp');
  return {
    key: decodeKey(fields.get('key') ?? ''),
    exp: exp < 0 ? null : exp,
    lastAccess: number('la'),
    cas: fields.get('cas') ?? '',
    fetched: fields.get('fetch') === 'yes',
    slabClass: number('cls'),
    size: number('size'),
  };
}

/** memcached percent-encodes keys in dumps; decoded as bytes, then UTF-8 (binary keys never throw). */
function decodeKey(encoded: string): string {
  if (!encoded.includes('%')) return encoded;
  const bytes: number[] = [];
  for (let index = 0; index < encoded.length; index++) {
    const hex = encoded[index] === '%' ? encoded.slice(index + 1, index + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else bytes.push(encoded.charCodeAt(index) & 0xff);
  }
  return Buffer.from(bytes).toString('utf8');
}
