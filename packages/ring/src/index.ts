// The package's one public entry: every export is named here (STYLE.md: no `export *`).
export { BoundedLoadRouter } from './bounded-load-router.js';
export type { BoundedLoadOptions, LoadSnapshot } from './bounded-load-router.js';
export { diff } from './diff.js';
export {
  DuplicateNodeError,
  InvalidConfigError,
  InvalidKeyError,
  InvalidServerError,
  InvalidWeightError,
  RingEmptyError,
  RingError,
  UnknownDistributionError,
  UnknownHashError,
  UnknownNodeError,
  UnsupportedError,
} from './errors.js';
export type { RingErrorCode } from './errors.js';
export { hashKey, hashNames } from './hash-key.js';
export type { HashName } from './hash-key.js';
export { md5Digest } from './hash/md5.js';
export type { HashOption } from './internal/hash-option.js';
export { jumpHash, jumpRing } from './jump.js';
export type { JumpOptions } from './jump.js';
export { ketamaRing } from './ketama.js';
export type { KetamaOptions } from './ketama.js';
export { libmemcachedRing } from './libmemcached.js';
export type { LibmemcachedOptions, LibmemcachedServer } from './libmemcached.js';
export { maglevRing } from './maglev.js';
export type { MaglevOptions } from './maglev.js';
export { modulaRing } from './modula.js';
export type { ModulaOptions } from './modula.js';
export type { Key, Ring, RingDiff, RingFlow, RingNode, RingNodeInput, WeightUpdate } from './ring.js';
export { rendezvousRing } from './rendezvous.js';
export type { RendezvousOptions } from './rendezvous.js';
export { multiProbeRing } from './multi-probe.js';
export type { MultiProbeOptions } from './multi-probe.js';
export { parseTwemproxyConfig } from './twemproxy-config.js';
export { twemproxyRing } from './twemproxy.js';
export type { TwemproxyDirective, TwemproxyPool, TwemproxyServer } from './twemproxy.js';
