import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ServerNotInstalledError, ServerProcess, SERVER_KINDS } from '../src/index.js';
import { probeOnce } from '../src/internal/probe.js';
import { commOf, isAlive } from './support/process-state.js';

const PROBES = {
  memcached: ['version\r\n', 'VERSION '],
  redis: ['PING\r\n', '+PONG'],
} as const;

describe.each(SERVER_KINDS)('ServerProcess(%s)', (kind) => {
  const [request, reply] = PROBES[kind];

  it('answers on a loopback port until stopped by PID, then is gone', async () => {
    const server = await ServerProcess.start(kind);
    expect(server.host).toBe('127.0.0.1');
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(commOf(server.pid)).toBe(kind === 'redis' ? 'redis-server' : 'memcached');
    expect(await probeOnce(server.port, request, reply, 1000)).toBe(true);

    await server.stop();
    expect(server.running).toBe(false);
    expect(isAlive(server.pid)).toBe(false);
    expect(await probeOnce(server.port, request, reply, 1000)).toBe(false);
  });

  it('dies at once on kill() and reports the signal, not an exit code', async () => {
    const server = await ServerProcess.start(kind);
    await server.kill();
    expect(await server.exited).toBeNull();
    expect(isAlive(server.pid)).toBe(false);
  });

  it('stop() and kill() are idempotent', async () => {
    const server = await ServerProcess.start(kind);
    await Promise.all([server.stop(), server.stop(), server.kill()]);
    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
  });
});

describe('ServerProcess files', () => {
  it('keeps redis data in a scratch directory that is removed when the server exits', async () => {
    const server = await ServerProcess.start('redis');
    const dir = server.dir;
    expect(dir).toBeDefined();
    expect(existsSync(dir ?? '')).toBe(true);
    await server.stop();
    expect(existsSync(dir ?? '')).toBe(false);
  });

  it('gives memcached no directory at all', async () => {
    const server = await ServerProcess.start('memcached');
    expect(server.dir).toBeUndefined();
    await server.stop();
  });
});

describe('ServerProcess errors', () => {
  it('says which binary is missing when it is not installed', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      const error: unknown = await ServerProcess.start('memcached').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ServerNotInstalledError);
      expect(error).toMatchObject({ code: 'ERR_SERVER_NOT_INSTALLED', message: expect.stringContaining('"memcached"') });
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('reports a server that exits before answering, with its stderr', async () => {
    const error: unknown = await ServerProcess.start('memcached', { extraArgs: ['--no-such-flag'] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_SERVER_START', message: expect.stringMatching(/memcached on port \d+ exited with code \d+/) });
  });
});
