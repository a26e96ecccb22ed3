// What cache-aside stores: the value plus what early refresh, tags and negative caching need.
// Short field names: this object is serialized into every entry.

/** A stored entry. */
export interface Envelope {
  /** The value (absent when the loader returned undefined). */
  readonly v?: unknown;
  /** Logical expiry, epoch ms; past it the entry is stale (served only within the SWR window). */
  readonly x?: number;
  /** How long the loader took, ms (XFetch's delta). */
  readonly d?: number;
  /** Tag versions at write time. */
  readonly t?: Readonly<Record<string, number>>;
  /** A cached loader failure (negative caching). */
  readonly e?: { readonly c?: string; readonly m: string };
}

const MARK = '__shardcache';

/** The stored form: the envelope with a marker, so values written by others are told apart. */
export function toStored(envelope: Envelope): Record<string, unknown> {
  return { [MARK]: 1, ...envelope };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * The one place cached data (unknown, from outside) is narrowed. A value without our marker is
 * someone else's plain value: an envelope with only `v`.
 */
export function readEnvelope(raw: unknown): Envelope | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw) || raw[MARK] !== 1) return { v: raw };
  const envelope: { v?: unknown; x?: number; d?: number; t?: Record<string, number>; e?: { c?: string; m: string } } = {};
  if ('v' in raw) envelope.v = raw['v'];
  const x = finite(raw['x']);
  if (x !== undefined) envelope.x = x;
  const d = finite(raw['d']);
  if (d !== undefined) envelope.d = d;
  const tags = raw['t'];
  if (isRecord(tags)) {
    const versions: Record<string, number> = {};
    for (const [tag, version] of Object.entries(tags)) {
      const parsed = finite(version);
      // An unreadable version can never match, so the entry reads as invalidated.
      versions[tag] = parsed ?? Number.NaN;
    }
    envelope.t = versions;
  }
  const error = raw['e'];
  if (isRecord(error)) {
    const message = typeof error['m'] === 'string' ? error['m'] : 'unknown error';
    envelope.e = typeof error['c'] === 'string' ? { c: error['c'], m: message } : { m: message };
  }
  return envelope;
}

/** Reads a counter as stored by `incr`: raw decimal bytes, a string or a number. */
export function readCounter(raw: unknown): number | undefined {
  let text: string | undefined;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof Uint8Array) text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text.trim());
}

/** A counter in the form `incr` can read on both backends: raw ASCII digits. */
export function counterBytes(value: number): Buffer {
  return Buffer.from(String(value), 'latin1');
}
