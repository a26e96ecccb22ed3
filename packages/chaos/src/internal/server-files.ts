import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerNotInstalledError, ServerStartError } from '../errors.js';
import type { ServerFiles, ServerKind, ServerOptions } from '../server-kind.js';
import { recordPid } from './pid-log.js';

/** A server's scratch files and the environment it needs to read them. */
export interface PreparedFiles extends ServerFiles {
  readonly env: Readonly<Record<string, string>>;
  /** The PEM certificate clients should trust, when TLS is on. */
  readonly certificate?: string;
}

/**
 * Creates a server's scratch directory with what its options need (a self-signed certificate
 * for 127.0.0.1 when TLS is on). Removed with `removeFiles` when the server exits.
 */
export async function prepareFiles(kind: ServerKind, options: ServerOptions): Promise<PreparedFiles> {
  const dir = mkdtempSync(join(tmpdir(), `shardcache-${kind}-`));
  try {
    const env: Record<string, string> = {};
    if (kind === 'memcached' && options.auth?.username !== undefined) {
      await writeSaslDatabase(dir, options.auth.username, options.auth.password);
      env['SASL_CONF_PATH'] = dir;
    }
    let authFile: string | undefined;
    if (kind === 'memcached' && options.asciiAuth !== undefined) {
      authFile = join(dir, 'auth');
      writeFileSync(authFile, `${options.asciiAuth.username ?? ''}:${options.asciiAuth.password}\n`, { mode: 0o600 });
    }
    const withAuth = authFile === undefined ? {} : { authFile };
    if (options.tls !== true) return { dir, env, ...withAuth };
    const certificateFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    await generateCertificate(certificateFile, keyFile);
    return { dir, env, ...withAuth, certificateFile, keyFile, certificate: readFileSync(certificateFile, 'utf8') };
  } catch (error) {
    removeFiles(dir);
    throw error;
  }
}

export function removeFiles(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/**
 * memcached -S reads its Cyrus SASL config from SASL_CONF_PATH/memcached.conf: PLAIN against a
 * sasldb in the scratch dir, with the one user written by saslpasswd2 (Debian: sasl2-bin).
 */
async function writeSaslDatabase(dir: string, username: string, password: string): Promise<void> {
  const database = join(dir, 'sasldb2');
  writeFileSync(join(dir, 'memcached.conf'), `mech_list: plain\nsasldb_path: ${database}\n`);
  await run('saslpasswd2', ['-p', '-a', 'memcached', '-c', '-f', database, username], password, 'sasl2-bin (saslpasswd2)');
}

function run(binary: string, args: string[], input: string, installHint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new ServerNotInstalledError(installHint));
      else reject(new ServerStartError(`${binary} failed: ${stderr.trim()}`, { cause: error }));
    });
    if (child.pid !== undefined) recordPid({ pid: child.pid, comm: binary, port: null, startedAt: new Date().toISOString() });
    child.stdin?.end(input);
  });
}

function generateCertificate(certificateFile: string, keyFile: string): Promise<void> {
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certificateFile];
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new ServerNotInstalledError('openssl'));
      else reject(new ServerStartError(`openssl could not generate a certificate: ${stderr.trim()}`, { cause: error }));
    });
    // Short-lived, but still a process we started: the leak check proves it is gone too.
    if (child.pid !== undefined) recordPid({ pid: child.pid, comm: 'openssl', port: null, startedAt: new Date().toISOString() });
  });
}
