import { InvalidOptionError as HealthOptionError } from '@shardcache/health';
import { InvalidOptionError } from '../errors.js';

/**
 * Runs `build`, which hands options to @shardcache/health (it validates them itself), and turns
 * its ERR_INVALID_OPTION into the client's, named as the caller wrote it (`health.serverFailureLimit`,
 * `twemproxy.server_failure_limit`), health's error kept as `cause`: the client's callers get
 * client errors only.
 */
export function withHealthOptions<T>(prefix: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof HealthOptionError) throw new InvalidOptionError(`${prefix}${error.option}`, error.reason, { cause: error });
    throw error;
  }
}
