// Every option is honoured or refused, never silently ignored: unknown names (typos, options of
// another version) and combinations the client cannot keep are refused with ERR_INVALID_OPTION.
import { describe, expect, it } from 'vitest';
import { ShardedClient, type ShardedClientOptions } from '../src/index.js';

const base = { backend: 'redis', nodes: ['127.0.0.1:6379'] } as const;

function refusal(options: unknown): unknown {
  try {
    new ShardedClient(options as ShardedClientOptions);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('option names', () => {
  it.each([
    [{ ...base, timeoutMS: 100 }, 'timeoutMS', 'did you mean "timeoutMs"?'],
    [{ ...base, failOver: 'next' }, 'failOver', 'did you mean "failover"?'],
    [{ ...base, values: 'plain' }, 'values', ''],
    [{ ...base, connection: { tls: true, connectTimeout: 100 } }, 'connection.connectTimeout', 'did you mean "connection.connectTimeoutMs"?'],
  ])('refuses an unknown name (%o), naming the closest known one', (options, option, hint) => {
    const error = refusal(options);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
    expect(String((error as Error).message)).toContain(hint);
  });
});

describe('security options', () => {
  it('refuses memcached SASL together with TLS (memjs opens plain sockets only), naming the option', () => {
    const error = refusal({ backend: 'memcached', nodes: ['127.0.0.1:11211'], connection: { username: 'u', password: 'p', tls: true } });
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'connection.tls' });
    expect(String((error as Error).message)).not.toContain('"p"');
  });

  it('refuses a twemproxy pool marked redis: true under backend memcached', () => {
    const error = refusal({ backend: 'memcached', twemproxy: { servers: ['127.0.0.1:11211:1'], redis: true, distribution: 'ketama', hash: 'fnv1a_64' } });
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'twemproxy.redis' });
  });
});
