import { ServerError } from '../../errors.js';
import type { CasResult, StoredItem, VersionedItem } from '../cache-node.js';
import { ProtocolViolation } from './protocol-violation.js';
import type { Reply } from './reply-parser.js';

/**
 * What each meta reply means for each call. A code the command cannot produce is a protocol
 * violation (the connection is dropped); a legitimate refusal is a typed error for that call.
 */

function unexpected(command: string, reply: Reply): ProtocolViolation {
  return new ProtocolViolation(`${reply.code} is no answer to ${command}`);
}

/** `mg ... f v`: VA is a hit, EN a miss. */
export function itemReply(reply: Reply): StoredItem | undefined {
  if (reply.code === 'VA' && reply.value !== undefined) return { value: reply.value, flags: reply.flags };
  if (reply.code === 'EN') return undefined;
  throw unexpected('mg', reply);
}

/** `mg ... f v c`: a hit must carry its CAS token. */
export function versionedReply(reply: Reply): VersionedItem | undefined {
  if (reply.code === 'EN') return undefined;
  if (reply.code === 'VA' && reply.value !== undefined && reply.cas !== undefined) return { value: reply.value, flags: reply.flags, cas: reply.cas };
  throw unexpected('mg with CAS', reply);
}

/** `ms` in set mode: HD. NS (not stored) fails the call on `node`. */
export function storedReply(node: string, reply: Reply): void {
  if (reply.code === 'HD') return;
  if (reply.code === 'NS') throw new ServerError(node, 'NS: the item was not stored');
  throw unexpected('ms', reply);
}

/** `ms` in add or replace mode, `md`, and `mg` with `T`: HD when it happened, NS / NF / EN when not. */
export function conditionalReply(reply: Reply): boolean {
  if (reply.code === 'HD') return true;
  if (reply.code === 'NS' || reply.code === 'NF' || reply.code === 'EN') return false;
  throw unexpected('a conditional command', reply);
}

/** `ms ... C<cas>`: HD stored, EX lost the race, NF no item. */
export function casReply(reply: Reply): CasResult {
  if (reply.code === 'HD') return 'stored';
  if (reply.code === 'EX') return 'exists';
  if (reply.code === 'NF') return 'not_found';
  throw unexpected('ms with CAS', reply);
}

/** `ma ... v`: the new value as decimal digits, or NF for an absent key. */
export function counterReply(reply: Reply): number | undefined {
  if (reply.code === 'NF') return undefined;
  const text = reply.code === 'VA' && reply.value !== undefined ? reply.value.toString('latin1') : '';
  if (!/^\d{1,20}$/.test(text)) throw unexpected('ma', reply);
  return Number(text);
}

/** `mg ... f v t`: the item with its remaining TTL in milliseconds (null: none), or a miss. */
export function dumpReply(reply: Reply): { item: StoredItem; ttlMs: number | null } | undefined {
  if (reply.code === 'EN') return undefined;
  if (reply.code === 'VA' && reply.value !== undefined && reply.ttl !== undefined) {
    return { item: { value: reply.value, flags: reply.flags }, ttlMs: reply.ttl < 0 ? null : Math.max(reply.ttl, 1) * 1000 };
  }
  throw unexpected('mg with TTL', reply);
}
