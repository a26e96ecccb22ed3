import { connect } from 'node:net';

/**
 * Sends one raw text command to 127.0.0.1:port and resolves with the reply once it ends with
 * `terminator`. Tests use it to look at a server without going through the code under test.
 */
export function rawCommand(port: number, command: string | Buffer, terminator: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(command));
    socket.setTimeout(2000, () => socket.destroy(new Error(`no reply to ${String(command).trim()}`)));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (terminator.test(reply)) {
        socket.end();
        resolve(reply);
      }
    });
    socket.once('error', reject);
  });
}

/** The remaining TTL in seconds the server holds for a key (-1: none, undefined: no key). */
export async function serverTtl(kind: 'memcached' | 'redis', port: number, key: string): Promise<number | undefined> {
  if (kind === 'redis') {
    const reply = await rawCommand(port, `TTL ${key}\r\n`, /\r\n$/);
    const ttl = Number(reply.slice(1).trim());
    return ttl === -2 ? undefined : ttl;
  }
  // memcached meta get: `t` returns the remaining TTL, -1 for none.
  const reply = await rawCommand(port, `mg ${key} t\r\n`, /(EN|HD[^\r]*)\r\n$/);
  if (reply.startsWith('EN')) return undefined;
  const match = /\bt(-?\d+)/.exec(reply);
  return match === null ? undefined : Number(match[1]);
}

/** Writes raw bytes under a key the way another client would: no flags, no header. */
export async function rawSet(kind: 'memcached' | 'redis', port: number, key: string, value: Buffer, memcachedFlags = 0): Promise<void> {
  const command =
    kind === 'redis'
      ? Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$${value.length}\r\n`), value, Buffer.from('\r\n')])
      : Buffer.concat([Buffer.from(`set ${key} ${memcachedFlags} 0 ${value.length}\r\n`), value, Buffer.from('\r\n')]);
  await rawCommand(port, command, kind === 'redis' ? /\+OK\r\n$/ : /STORED\r\n$/);
}

/** Which of `keys` a memcached server holds, asked over one pipelined text connection. */
export function memcachedHas(port: number, keys: readonly string[]): Promise<boolean[]> {
  return new Promise((resolve, reject) => {
    const answers: boolean[] = [];
    let pending = '';
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(keys.map((key) => `mg ${key}\r\n`).join('')));
    socket.setTimeout(5000, () => socket.destroy(new Error('memcached did not answer every mg')));
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n')) !== -1) {
        answers.push(pending.startsWith('HD'));
        pending = pending.slice(end + 2);
      }
      if (answers.length === keys.length) {
        socket.end();
        resolve(answers);
      }
    });
    socket.once('error', reject);
  });
}
