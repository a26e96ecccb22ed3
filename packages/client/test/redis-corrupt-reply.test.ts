// A reply the parser cannot hold: an array length past what JavaScript allows. redis-parser
// throws a RangeError from the socket's 'data' handler, which used to be an uncaught exception
// (found by the nemesis: a corrupting proxy in front of redis). An in-process server, because a
// real redis never sends this: only a corrupted stream does.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisNode } from '../src/nodes/redis-node.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
});

/** A server that answers every request with an array of 99,999,999,999 elements. */
async function corruptServer(): Promise<number> {
  server = createServer((socket) => {
    socket.on('data', () => socket.write('*99999999999\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('redis node, a reply the parser throws on', () => {
  it('fails the connection (ERR_CONNECTION) instead of throwing out of the socket handler', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    // Vitest's own handler would fail the run too; this one counts, so the assertion says why.
    process.prependListener('uncaughtException', onUncaught);
    const node = createRedisNode({ id: 'corrupt', host: '127.0.0.1', port: await corruptServer(), connectTimeoutMs: 500, maxReconnectDelayMs: 50 });
    try {
      await expect(node.connect()).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await node.destroy();
    }
  });
});
