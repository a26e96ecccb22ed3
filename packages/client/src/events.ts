import type { RingChange } from './routing/router.js';
import type { ShardcacheError } from './errors.js';

/** What a `ShardedClient` emits. Every payload names the node it is about. */
export interface ClientEvents {
  /** Health took a node out of placement. */
  'node:ejected': [event: { readonly node: string; readonly reason: string }];
  /** A node is back in placement. */
  'node:restored': [event: { readonly node: string }];
  /** The effective ring changed: the exact share of keys that moved, from where to where. */
  'ring:changed': [event: RingChange];
  /** The membership source was lost (`alone`: this client keeps its ring and decides health on its own) or heard again (`following`). */
  'membership:status': [event: { readonly source: string; readonly state: 'following' | 'alone'; readonly reason: string | undefined }];
  /** The source published a list that is not one; the ring in force stays. `entry` names the bad part. */
  'membership:refused': [event: { readonly source: string; readonly epoch: number; readonly entry: string; readonly reason: string }];
  /** A node call failed. Emitted only while someone listens (an unheard 'error' never throws). */
  error: [event: { readonly node: string | undefined; readonly error: ShardcacheError }];
}
