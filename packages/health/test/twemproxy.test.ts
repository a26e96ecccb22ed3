import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fromTwemproxyPool, InvalidOptionError, NodeHealth } from '../src/index.js';

// A pool as twemproxy's README documents it (conf/nutcracker.yml).
const NUTCRACKER_YML = `
alpha:
  listen: 127.0.0.1:22121
  hash: fnv1a_64
  distribution: ketama
  auto_eject_hosts: true
  redis: true
  timeout: 400
  server_retry_timeout: 2000
  server_failure_limit: 1
  servers:
   - 127.0.0.1:6379:1
beta:
  listen: 127.0.0.1:22122
  hash: fnv1a_64
  hash_tag: "{}"
  distribution: ketama
  auto_eject_hosts: false
  servers:
   - 127.0.0.1:11211:1 server1
`;

describe('fromTwemproxyPool', () => {
  it('maps the snake_case health keys onto NodeHealth options, ignoring the rest', async () => {
    const pools = parse(NUTCRACKER_YML) as Record<string, unknown>;
    const alpha = fromTwemproxyPool(pools['alpha']);
    expect(alpha).toEqual({ autoEjectHosts: true, serverFailureLimit: 1, serverRetryTimeout: 2000, timeout: 400 });
    expect(fromTwemproxyPool(pools['beta'])).toEqual({ autoEjectHosts: false });
    const health = new NodeHealth('127.0.0.1:6379', { ...alpha, probe: () => Promise.resolve() });
    expect(health.timeout).toBe(400);
    await health.destroy();
  });

  it.each([
    [null, 'pool'],
    ['alpha', 'pool'],
    [{ auto_eject_hosts: 'yes' }, 'auto_eject_hosts'],
    [{ server_failure_limit: 0 }, 'server_failure_limit'],
    [{ server_failure_limit: 2.5 }, 'server_failure_limit'],
    [{ server_retry_timeout: -30000 }, 'server_retry_timeout'],
    [{ timeout: '400ms' }, 'timeout'],
  ])('rejects %j naming the YAML key %s', (pool, option) => {
    let error: unknown;
    try {
      fromTwemproxyPool(pool);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
  });
});
