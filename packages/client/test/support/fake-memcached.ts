import { createServer, type Server, type Socket } from 'node:net';

/** One request as the fake read it: the command line's words, and the data block of an `ms`. */
export interface FakeRequest {
  readonly words: readonly string[];
  readonly opaque: string | undefined;
  readonly data: Buffer | undefined;
}

/** Decides what the fake writes for the requests of one read (all of them at once, so tests can reorder). */
export type FakeScript = (requests: readonly FakeRequest[], socket: Socket, connection: number) => void;

/** A scripted in-process memcached, for protocol edge cases a real server never produces. */
export interface FakeMemcached {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: () => number;
  script: FakeScript;
  close(): Promise<void>;
}

/**
 * Starts a fake on a free loopback port. It parses meta/text commands (with `ms` data blocks)
 * from each connection and hands every batch that arrived together to `script`.
 *
 * @example
 * const fake = await startFakeMemcached((requests, socket) => socket.write('MN\r\n'));
 */
export async function startFakeMemcached(script: FakeScript): Promise<FakeMemcached> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const fake: FakeMemcached = {
    port: 0,
    connections: () => connections,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const requests: FakeRequest[] = [];
      for (;;) {
        const end = pending.indexOf('\r\n');
        if (end === -1) break;
        const words = pending.toString('latin1', 0, end).split(' ');
        let consumed = end + 2;
        let data: Buffer | undefined;
        if (words[0] === 'ms') {
          const size = Number(words[2]);
          if (pending.length < consumed + size + 2) break;
          data = pending.subarray(consumed, consumed + size);
          consumed += size + 2;
        }
        pending = pending.subarray(consumed);
        requests.push({ words, opaque: words.find((word) => word.startsWith('O'))?.slice(1), data });
      }
      if (requests.length > 0) fake.script(requests, socket, connection);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  Object.assign(fake, { port: typeof address === 'object' && address !== null ? address.port : 0 });
  return fake;
}

/** Answers like a tiny memcached holding `store` (values as strings, flags 0). */
export function honestReplies(store: Map<string, string>): FakeScript {
  return (requests, socket) => {
    for (const { words, opaque, data } of requests) {
      const key = words[1] ?? '';
      const o = opaque === undefined ? '' : ` O${opaque}`;
      if (words[0] === 'mg') {
        const value = store.get(key);
        if (value === undefined) socket.write(words.includes('q') ? '' : `EN${o}\r\n`);
        else socket.write(`VA ${Buffer.byteLength(value)}${o} f0\r\n${value}\r\n`);
      } else if (words[0] === 'ms') {
        store.set(key, data?.toString() ?? '');
        socket.write(`HD${o}\r\n`);
      } else if (words[0] === 'get') {
        for (const key of words.slice(1)) {
          const value = store.get(key);
          if (value !== undefined) socket.write(`VALUE ${key} 0 ${Buffer.byteLength(value)}\r\n${value}\r\n`);
        }
        socket.write('END\r\n');
      } else if (words[0] === 'mn') socket.write('MN\r\n');
    }
  };
}
