import { systemClock, type Clock } from '../clock.js';
import { InvalidOptionError } from '../errors.js';
import type { ErrorFilter, NodeHealthOptions, ProbeFunction } from '../node-health-options.js';
import { isCacheSemantic, isProgrammerError } from './error-facts.js';
import { boolean, fn, integer, milliseconds, object, share } from './validate.js';

/** NodeHealthOptions with every default filled in, checked. */
export interface ResolvedOptions {
  readonly autoEjectHosts: boolean;
  readonly serverFailureLimit: number;
  readonly serverRetryTimeout: number;
  readonly timeout: number;
  readonly maxEjectionMs: number;
  readonly errorRateThreshold: number;
  readonly minimumVolume: number;
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly latencySamples: number;
  readonly successThreshold: number;
  readonly probe: ProbeFunction | undefined;
  readonly probeIntervalMs: number;
  readonly probeJitter: number;
  readonly probeAlways: boolean;
  readonly errorFilter: ErrorFilter;
  readonly canEject: (node: string) => boolean;
  readonly clock: Clock;
  readonly random: () => number;
}

/** Cache semantics (NOT_STORED, EXISTS, a bad key, a value too large) and caller bugs. */
export const defaultErrorFilter: ErrorFilter = (error) => isCacheSemantic(error) || isProgrammerError(error);

const alwaysAllowed = (): boolean => true;

export function resolveOptions(input: NodeHealthOptions | undefined): ResolvedOptions {
  const options = object('options', input) as NodeHealthOptions;
  const serverRetryTimeout = milliseconds('serverRetryTimeout', options.serverRetryTimeout, 30_000);
  const maxEjectionMs = milliseconds('maxEjectionMs', options.maxEjectionMs, 10 * serverRetryTimeout);
  if (maxEjectionMs < serverRetryTimeout) {
    throw new InvalidOptionError('maxEjectionMs', `must be at least serverRetryTimeout (${serverRetryTimeout} ms), got ${maxEjectionMs}`);
  }
  const bucketMs = milliseconds('bucketMs', options.bucketMs, 1000);
  const windowMs = milliseconds('windowMs', options.windowMs, 10_000);
  if (windowMs < bucketMs) throw new InvalidOptionError('windowMs', `must be at least one bucket (bucketMs = ${bucketMs}), got ${windowMs}`);
  const autoEjectHosts = boolean('autoEjectHosts', options.autoEjectHosts, false);
  const probe = fn('probe', options.probe);
  if (autoEjectHosts && probe === undefined) {
    throw new InvalidOptionError('probe', 'a probe is required when autoEjectHosts is true: an ejected node returns only after probes succeed');
  }
  const probeAlways = boolean('probeAlways', options.probeAlways, false);
  if (probeAlways && probe === undefined) throw new InvalidOptionError('probe', 'a probe is required when probeAlways is true');
  const clock = object('clock', options.clock) as Partial<Clock>;
  if (options.clock !== undefined && (typeof clock.now !== 'function' || typeof clock.schedule !== 'function')) {
    throw new InvalidOptionError('clock', 'expected an object with now() and schedule(callback, ms)');
  }
  return {
    autoEjectHosts,
    serverFailureLimit: integer('serverFailureLimit', options.serverFailureLimit, 2, 1),
    serverRetryTimeout,
    timeout: milliseconds('timeout', options.timeout, 1000),
    maxEjectionMs,
    errorRateThreshold: share('errorRateThreshold', options.errorRateThreshold, 0.5),
    minimumVolume: integer('minimumVolume', options.minimumVolume, 20, 1),
    windowMs,
    bucketMs,
    latencySamples: integer('latencySamples', options.latencySamples, 1024, 16, 1 << 20),
    successThreshold: integer('successThreshold', options.successThreshold, 3, 1),
    probe,
    probeIntervalMs: milliseconds('probeIntervalMs', options.probeIntervalMs, 1000),
    probeJitter: share('probeJitter', options.probeJitter, 0.2),
    probeAlways,
    errorFilter: fn('errorFilter', options.errorFilter, defaultErrorFilter),
    canEject: fn('canEject', options.canEject, alwaysAllowed),
    clock: options.clock ?? systemClock,
    random: fn('random', options.random, Math.random),
  };
}
