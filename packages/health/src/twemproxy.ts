import { boolean, integer, object } from './internal/validate.js';
import type { NodeHealthOptions } from './node-health-options.js';

/**
 * The health options a twemproxy (nutcracker) pool sets.
 *
 * @example
 * const options: TwemproxyHealthOptions = { autoEjectHosts: true, serverFailureLimit: 3 };
 */
export type TwemproxyHealthOptions = Pick<NodeHealthOptions, 'autoEjectHosts' | 'serverFailureLimit' | 'serverRetryTimeout' | 'timeout'>;

/**
 * Maps a twemproxy YAML pool (already parsed) onto NodeHealth options: `auto_eject_hosts`,
 * `server_failure_limit`, `server_retry_timeout` and `timeout` (milliseconds, as in
 * twemproxy). Keys it lacks are left out (our defaults apply); its other keys (`listen`,
 * `hash`, `servers`, ...) are ignored. A bad value throws ERR_INVALID_OPTION naming the YAML key.
 *
 * @example
 * import { parse } from 'yaml';
 * const { alpha } = parse(readFileSync('nutcracker.yml', 'utf8'));
 * const registry = new HealthRegistry({ ...fromTwemproxyPool(alpha), probe });
 */
export function fromTwemproxyPool(pool: unknown): TwemproxyHealthOptions {
  const keys = object('pool', pool);
  const autoEjectHosts = keys['auto_eject_hosts'];
  const serverFailureLimit = keys['server_failure_limit'];
  const serverRetryTimeout = keys['server_retry_timeout'];
  const timeout = keys['timeout'];
  return {
    ...(autoEjectHosts === undefined ? {} : { autoEjectHosts: boolean('auto_eject_hosts', autoEjectHosts, false) }),
    ...(serverFailureLimit === undefined ? {} : { serverFailureLimit: integer('server_failure_limit', serverFailureLimit, 0, 1) }),
    ...(serverRetryTimeout === undefined ? {} : { serverRetryTimeout: integer('server_retry_timeout', serverRetryTimeout, 0, 1) }),
    ...(timeout === undefined ? {} : { timeout: integer('timeout', timeout, 0, 1) }),
  };
}
