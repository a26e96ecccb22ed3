export type { Backend, ConnectionOptions, NodeFactory, ResolvedOptions, ShardedClientOptions } from './client-options.js';
export {
  BreakerOpenError,
  ClosedError,
  ConnectionError,
  DecodeError,
  InvalidArgumentError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidTtlError,
  InvalidValueError,
  MembershipConflictError,
  MembershipMalformedError,
  MembershipUnavailableError,
  NodeUnavailableError,
  OverloadedError,
  PartialFailureError,
  ServerError,
  ShardcacheError,
  TimeoutError,
  UnknownError,
  UnsupportedError,
  ValueTooLargeError,
} from './errors.js';
export type { KeyFailure, ShardcacheErrorCode } from './errors.js';
export type { ClientEvents } from './events.js';
export type { Clock } from './internal/clock.js';
export type { ClientHealthOptions } from './client-options.js';
export { KeyRules } from './keyspace/key-rules.js';
export type { KeyRulesOptions, RoutedKey } from './keyspace/key-rules.js';
export { MEMCACHED_MAX_KEY_BYTES } from './keyspace/memcached-key.js';
export { etcdMembership } from './membership/etcd-membership.js';
export type { EtcdMembership, EtcdMembershipOptions, PublishOptions } from './membership/etcd-membership.js';
export { fileMembership } from './membership/file-membership.js';
export type { MembershipChange } from './membership/membership-change.js';
export { staticMembership } from './membership/membership-source.js';
export type { MembershipSource, MembershipStatus, MembershipView } from './membership/membership-source.js';
export { redisMembership } from './membership/redis-membership.js';
export type { RedisMembership, RedisMembershipOptions } from './membership/redis-membership.js';
export type { MigrationCheckpoint, MigrationOptions, MigrationProgress, MigrationResult } from './migration/migrate.js';
export type { ManyResult } from './multi-key.js';
export type { CacheNode, CasResult, DumpedItem, EncodedValue, NodeCapabilities, Payload, StoredItem, Ttl, VersionedItem, WriteEntry } from './nodes/cache-node.js';
export { createMemcachedNode } from './nodes/memcached-node.js';
export type { MemcachedNode, MemcachedNodeOptions, ScannedKey } from './nodes/memcached-node.js';
export { createMemjsNode, MEMCACHED_RELATIVE_TTL_LIMIT } from './nodes/memjs-node.js';
export type { MemjsNodeOptions } from './nodes/memjs-node.js';
export { parseNodeSpec } from './nodes/node-address.js';
export type { NodeAddress, NodeSpec } from './nodes/node-address.js';
export { createRedisNode } from './nodes/redis-node.js';
export type { RedisNodeOptions } from './nodes/redis-node.js';
export { failureClass, isRequestError } from './routing/failure-class.js';
export type { FailureClass } from './routing/failure-class.js';
export type { HealthGate } from './routing/health-gate.js';
export type { RejoinOptions } from './rejoin/rejoin-guard.js';
export type { FailoverPolicy, RingChange } from './routing/router.js';
export { ShardedClient } from './sharded-client.js';
export type { CallOptions, ClientStats, ManyOptions, ManyReadOptions, ReadOptions, SetEntry, WriteOptions } from './sharded-client.js';
export type { NodeStatsSnapshot } from './stats/node-stats.js';
export type { TtlInput } from './values/ttl.js';
export { VALUE_FLAGS } from './values/value-codec.js';
export type { Serializer, ValueMode } from './values/value-codec.js';
