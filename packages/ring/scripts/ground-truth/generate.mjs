#!/usr/bin/env node
// Ground-truth generator for @shardcache/ring: records which backend REAL, unmodified software puts
// each key on. Nothing here hashes a key: every placement is observed by writing the key through the
// real proxy/client and then asking every backend directly which one holds it.
//
// Usage (as root; the script re-executes itself inside a private network namespace):
//   node packages/ring/scripts/ground-truth/generate.mjs [--only NAME[,NAME...]] [--out DIR]
//   node packages/ring/scripts/ground-truth/generate.mjs --verify-against DIR [--only ...]
//   node packages/ring/scripts/ground-truth/generate.mjs --list
//
//   --only NAME     regenerate only these fixtures (comma-separated or repeated)
//   --out DIR       write fixtures there instead of packages/ring/test/fixtures/
//   --verify-against DIR
//                   for every case that has DIR/<name>.json, re-observe it with THAT file's keys (in its
//                   order) and compare the serialized result byte for byte; writes nothing
//   --list          print the case names and exit
//
// Writes packages/ring/test/fixtures/<name>.json. Software driven (Debian packages, all preinstalled):
// twemproxy (/usr/sbin/nutcracker), memcached, redis-server, libmemcached through pylibmc
// (/usr/bin/python3 + pylibmc_set.py) and memccp (libmemcached-tools). See README.md beside this file.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(import.meta.url);
const HERE = path.dirname(SCRIPT);
const DEFAULT_OUT = path.resolve(HERE, '../../test/fixtures');
const NETNS_MARK = 'SHARDCACHE_GROUND_TRUTH_NETNS';
const PYTHON = '/usr/bin/python3';
const NUTCRACKER = '/usr/sbin/nutcracker';
const STATS_PORT = 22222;
const IO_TIMEOUT_MS = 20000;

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { only: [], out: DEFAULT_OUT, verifyAgainst: null, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--only') opts.only.push(...value().split(',').filter(Boolean));
    else if (a.startsWith('--only=')) opts.only.push(...a.slice(7).split(',').filter(Boolean));
    else if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--verify-against') opts.verifyAgainst = path.resolve(value());
    else if (a === '--list') opts.list = true;
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(SCRIPT, 'utf8').split('\n').slice(1, 21).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Keys: the same 2,000 for every fixture (+ the empty key for redis pools)
// ---------------------------------------------------------------------------------------------

const HASH_TAG_KEYS = [
  '{user:1}:profile', '{user:1}:friends', '{user:1}:settings', '{user:2}:profile', '{user:2}:friends',
  '{shared}:1', '{shared}:2', '{shared}:3', '{shared}:4', '{shared}:5', '{shared}:6', '{shared}:7',
  '{shared}:8', '{shared}:9', '{shared}:10', 'prefix{shared}suffix', 'x{shared}', '{shared}', '{}',
  '{}abc', 'abc{}', 'a{}b', '{{nested}}', '{a}{b}', '{a}{c}', 'a}b{c}', 'no{close', 'noopen}', '{', '}',
  '}{', '{x', 'x}', 'pre{tag}post', '{tag}', '{tag}:1', '{tag}:2', '{é}:1', '{é}:2', '{1}', '{2}', '{3}',
];

const NON_ASCII_KEYS = [
  'café', 'naïve', 'Ωmega', 'ключ:1', 'ключ:2', '日本語', '日本語:キー', 'emoji-🔑', '🔑', 'ñ',
  'üüüüüüüüüü', 'Größe', 'ça-va', '中文键', '€uro', 'ÿ', '\u0080x', 'ÿÿÿÿ', 'Ä', 'é'.repeat(30),
];

const RANDOM_KEY_SEED = 0x5eed2000;
const KEY_COUNT = 2000;

// mulberry32: a tiny seeded PRNG, so the random keys are the same on every run and machine.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeKeys() {
  const keys = [];
  for (let i = 1; i <= 1000; i++) keys.push(`user:${i}`);
  keys.push(...HASH_TAG_KEYS, ...NON_ASCII_KEYS);
  const seen = new Set(keys);
  const rnd = mulberry32(RANDOM_KEY_SEED);
  let n = 0;
  while (keys.length < KEY_COUNT) {
    n++;
    // Mostly 1..60 bytes, every 20th key 61..200 bytes; printable ASCII 0x21..0x7e (no space).
    const len = n % 20 === 0 ? 61 + Math.floor(rnd() * 140) : 1 + Math.floor(rnd() * 60);
    let k = '';
    for (let j = 0; j < len; j++) k += String.fromCharCode(0x21 + Math.floor(rnd() * 94));
    if (seen.has(k)) continue;
    seen.add(k);
    keys.push(k);
  }
  for (const k of keys) {
    const b = Buffer.from(k, 'utf8');
    const control = [...k].some((ch) => ch.charCodeAt(0) < 0x21 || ch.charCodeAt(0) === 0x7f);
    if (b.length === 0 || b.length > 200 || control || /\s/.test(k)) throw new Error(`bad key ${JSON.stringify(k)}`);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Deterministic JSON, byte-compatible with Python's json.dumps(obj, indent=1, ensure_ascii=False).
// Maps keep insertion order (plain objects would put integer-like keys such as "7" first).
// ---------------------------------------------------------------------------------------------

function dumpJson(value, depth = 0) {
  const pad = ' '.repeat(depth + 1);
  const end = ' '.repeat(depth);
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`non-integer number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + dumpJson(v, depth + 1)).join(',\n')}\n${end}]`;
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${dumpJson(v, depth + 1)}`).join(',\n')}\n${end}}`;
}

const serialize = (fixture) => `${dumpJson(fixture)}\n`;

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

const MC_PORTS = [21211, 21212, 21213, 21214, 21215];
const REDIS_PORTS = [26379, 26380, 26381, 26382, 26383];
const TW_HASHES = ['one_at_a_time', 'md5', 'crc16', 'crc32', 'crc32a', 'fnv1_64', 'fnv1a_64', 'fnv1_32', 'fnv1a_32', 'hsieh', 'murmur', 'jenkins'];
// pylibmc.hashers minus "hsieh" (Debian's libhashkit is built without it: setting it fails with rc 38).
const LM_HASHES = ['default', 'md5', 'crc', 'fnv1_64', 'fnv1a_64', 'fnv1_32', 'fnv1a_32', 'murmur', 'jenkins'];
const W_1_1_2_1_3 = [1, 1, 2, 1, 3];
const W_ODD = [1, 1, 1, 7, 15];
const EQ = [1, 1, 1, 1, 1];

const specs = (ports, weights, host = '127.0.0.1') => ports.map((p, i) => `${host}:${p}:${weights[i]}`);

// Named servers, listed out of order; names of different lengths so that twemproxy's sort by name
// (length first, then bytes) differs from both config order and plain byte order.
const NAMED = [
  '127.0.0.1:21213:1 server-10',
  '127.0.0.1:21211:1 alpha',
  '127.0.0.1:21215:1 b',
  '127.0.0.1:21212:1 server-9',
  '127.0.0.1:21214:1 zz',
];
const NAMED_W = [
  '127.0.0.1:21213:2 server-10',
  '127.0.0.1:21211:1 alpha',
  '127.0.0.1:21215:3 b',
  '127.0.0.1:21212:1 server-9',
  '127.0.0.1:21214:1 zz',
];
// Unnamed servers out of order, ports of different lengths, one on 11211 (its point name is the host).
const UNSORTED = ['127.0.0.1:21213:1', '127.0.0.1:9211:1', '127.0.0.1:21211:1', '127.0.0.1:11211:1', '127.0.0.1:8211:1'];
// Several hosts on port 11211 (loopback aliases inside the private namespace) plus one other port.
const PORT_11211 = ['127.0.0.10:11211:1', '127.0.0.1:11211:1', '127.0.0.3:11211:1', '127.0.0.1:21212:1', '127.0.0.2:11211:1'];

const EJECT_SETTINGS = { auto_eject_hosts: true, server_retry_timeout: 600000, server_failure_limit: 1 };

function buildCases() {
  const cases = [];
  let nextListen = 22201;
  const tw = (name, backend, poolFields, extra = {}) => {
    if (extra.listen === undefined && nextListen === STATS_PORT) nextListen++;
    const listenPort = extra.listen ?? nextListen++;
    const { servers, hash_tag: hashTag, eject, ...rest } = poolFields;
    const pool = { listen: `127.0.0.1:${listenPort}`, hash: rest.hash, distribution: rest.distribution };
    if (hashTag !== undefined) pool.hash_tag = hashTag;
    pool.redis = backend === 'redis';
    pool.timeout = 2000;
    if (eject) Object.assign(pool, EJECT_SETTINGS);
    pool.servers = servers;
    cases.push({ kind: 'twemproxy', name, backend, pool, eject: eject ?? null });
  };
  const mc = (weights) => specs(MC_PORTS, weights);

  // twemproxy, memcached pools
  for (const h of TW_HASHES) {
    tw(`mc_ketama_${h}_eq`, 'memcached', { hash: h, distribution: 'ketama', servers: mc(EQ) });
  }
  tw('mc_ketama_md5_w', 'memcached', { hash: 'md5', distribution: 'ketama', servers: mc(W_1_1_2_1_3) }, { listen: 22121 });
  tw('mc_ketama_fnv1a_64_w', 'memcached', { hash: 'fnv1a_64', distribution: 'ketama', servers: mc(W_1_1_2_1_3) });
  tw('mc_ketama_md5_wodd', 'memcached', { hash: 'md5', distribution: 'ketama', servers: mc(W_ODD) });
  tw('mc_ketama_fnv1a_64_wodd', 'memcached', { hash: 'fnv1a_64', distribution: 'ketama', servers: mc(W_ODD) });
  for (const h of TW_HASHES) {
    tw(`mc_modula_${h}_eq`, 'memcached', { hash: h, distribution: 'modula', servers: mc(EQ) }, h === 'fnv1a_64' ? { listen: 22132 } : {});
  }
  tw('mc_modula_fnv1a_64_w', 'memcached', { hash: 'fnv1a_64', distribution: 'modula', servers: mc(W_1_1_2_1_3) });
  tw('mc_modula_md5_w', 'memcached', { hash: 'md5', distribution: 'modula', servers: mc(W_1_1_2_1_3) });
  tw('mc_modula_md5_wodd', 'memcached', { hash: 'md5', distribution: 'modula', servers: mc(W_ODD) });
  tw('mc_ketama_md5_named', 'memcached', { hash: 'md5', distribution: 'ketama', servers: NAMED });
  tw('mc_ketama_fnv1a_64_named', 'memcached', { hash: 'fnv1a_64', distribution: 'ketama', servers: NAMED });
  tw('mc_ketama_md5_named_w', 'memcached', { hash: 'md5', distribution: 'ketama', servers: NAMED_W });
  tw('mc_modula_md5_named', 'memcached', { hash: 'md5', distribution: 'modula', servers: NAMED });
  tw('mc_modula_md5_named_w', 'memcached', { hash: 'md5', distribution: 'modula', servers: NAMED_W });
  tw('mc_ketama_md5_unsorted', 'memcached', { hash: 'md5', distribution: 'ketama', servers: UNSORTED });
  tw('mc_modula_md5_unsorted', 'memcached', { hash: 'md5', distribution: 'modula', servers: UNSORTED });
  tw('mc_ketama_md5_port11211', 'memcached', { hash: 'md5', distribution: 'ketama', servers: PORT_11211 });
  tw('mc_ketama_fnv1a_64_port11211', 'memcached', { hash: 'fnv1a_64', distribution: 'ketama', servers: PORT_11211 });
  tw('mc_modula_md5_port11211', 'memcached', { hash: 'md5', distribution: 'modula', servers: PORT_11211 });
  tw('mc_ketama_fnv1a_64_hashtag', 'memcached', { hash: 'fnv1a_64', distribution: 'ketama', hash_tag: '{}', servers: mc(EQ) });
  tw('mc_ketama_md5_hashtag', 'memcached', { hash: 'md5', distribution: 'ketama', hash_tag: '{}', servers: mc(EQ) });
  tw('mc_modula_md5_hashtag', 'memcached', { hash: 'md5', distribution: 'modula', hash_tag: '{}', servers: mc(EQ) });
  tw('mc_modula_fnv1a_64_hashtag', 'memcached', { hash: 'fnv1a_64', distribution: 'modula', hash_tag: '{}', servers: mc(EQ) });
  // ejection: one backend SIGKILLed, nutcracker ejects it, keys observed among the survivors
  tw('mc_ketama_fnv1a_64_eq_eject', 'memcached', { hash: 'fnv1a_64', distribution: 'ketama', servers: mc(EQ), eject: '127.0.0.1:21213' });
  tw('mc_ketama_md5_w_eject', 'memcached', { hash: 'md5', distribution: 'ketama', servers: mc(W_1_1_2_1_3), eject: '127.0.0.1:21212' });
  tw('mc_modula_md5_eq_eject', 'memcached', { hash: 'md5', distribution: 'modula', servers: mc(EQ), eject: '127.0.0.1:21213' });

  // twemproxy, redis pools (these include the empty key)
  const rd = (weights) => specs(REDIS_PORTS, weights);
  tw('redis_ketama_fnv1a_64_eq', 'redis', { hash: 'fnv1a_64', distribution: 'ketama', servers: rd(EQ) }, { listen: 22184 });
  tw('redis_ketama_md5_w', 'redis', { hash: 'md5', distribution: 'ketama', servers: rd(W_1_1_2_1_3) });
  tw('redis_modula_md5_eq', 'redis', { hash: 'md5', distribution: 'modula', servers: rd(EQ) });
  tw('redis_ketama_fnv1a_64_hashtag', 'redis', { hash: 'fnv1a_64', distribution: 'ketama', hash_tag: '{}', servers: rd(EQ) });

  // libmemcached through pylibmc
  const lm = (name, servers, steps) => cases.push({ kind: 'pylibmc', name, servers, steps });
  for (const h of LM_HASHES) lm(`lm_modula_${h}_eq`, mc(EQ), [{ hash: h, distribution: 'modula' }]);
  lm('lm_modula_default_w', mc(W_1_1_2_1_3), [{ hash: 'default', distribution: 'modula' }]);
  lm('lm_ketama_eq', mc(EQ), [{ ketama: true }]);
  for (const h of ['md5', 'crc', 'fnv1a_32', 'murmur']) lm(`lm_ketama_${h}_eq`, mc(EQ), [{ hash: h, ketama: true }]);
  lm('lm_ketama_w', mc(W_1_1_2_1_3), [{ ketama: true }]);
  lm('lm_ketama_md5_w', mc(W_1_1_2_1_3), [{ hash: 'md5', ketama: true }]);
  lm('lm_ketama_wodd', mc(W_ODD), [{ ketama: true }]);
  lm('lm_consistent_ketama_eq', mc(EQ), [{ distribution: 'consistent ketama' }]);
  lm('lm_ketama_weighted_eq', mc(EQ), [{ ketama_weighted: true }]);
  lm('lm_ketama_weighted_w', mc(W_1_1_2_1_3), [{ ketama_weighted: true }]);
  lm('lm_consistent_weighted_eq', mc(EQ), [{ distribution: 'consistent weighted' }]);
  lm('lm_consistent_weighted_w', mc(W_1_1_2_1_3), [{ distribution: 'consistent weighted' }]);
  lm('lm_ketama_spy_eq', mc(EQ), [{ distribution: 'consistent ketama spy' }]);
  lm('lm_ketama_spy_w', mc(W_1_1_2_1_3), [{ distribution: 'consistent ketama spy' }]);
  lm('lm_ketama_port11211', PORT_11211, [{ ketama: true }]);
  lm('lm_ketama_spy_port11211', PORT_11211, [{ distribution: 'consistent ketama spy' }]);
  lm('lm_modula_default_port11211', PORT_11211, [{ hash: 'default', distribution: 'modula' }]);
  // Order matters: ketama_weighted=1 forces hash md5, so a hash set before it is overwritten.
  lm('lm_order_fnv1a_32_then_ketama_weighted', mc(EQ), [{ hash: 'fnv1a_32', ketama_weighted: true }]);
  lm('lm_order_ketama_weighted_then_fnv1a_32', mc(EQ), [{ ketama_weighted: true }, { hash: 'fnv1a_32' }]);

  // libmemcached through the memccp command-line tool (default distribution: modula)
  const mcp = (name, hashOpt, sameAs) => cases.push({ kind: 'memccp', name, servers: mc(EQ), hashOpt, sameAs });
  mcp('memccp_modula_default_eq', null, 'lm_modula_default_eq');
  mcp('memccp_modula_md5_eq', 'MD5', 'lm_modula_md5_eq');
  mcp('memccp_modula_murmur3_eq', 'MURMUR3', null);

  const names = new Set();
  const listens = new Set();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`duplicate case ${c.name}`);
    names.add(c.name);
    if (c.pool) {
      if (listens.has(c.pool.listen) || c.pool.listen.endsWith(`:${STATS_PORT}`)) throw new Error(`listen ${c.pool.listen} taken`);
      listens.add(c.pool.listen);
    }
  }
  return cases;
}

// "host:port:weight [name]" -> { host, port, weight, name }
function parseServerSpec(spec) {
  const m = /^([^:\s]+):(\d+):(\d+)(?: (.+))?$/.exec(spec);
  if (!m) throw new Error(`bad server spec ${spec}`);
  return { host: m[1], port: Number(m[2]), weight: Number(m[3]), name: m[4] ?? null };
}
const addr = (s) => `${s.host}:${s.port}`;

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

const children = new Set();
let tmpRoot = null;

function killAllChildrenSync() {
  for (const p of children) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function startProcess(label, cmd, args) {
  const logPath = path.join(tmpRoot, `${label.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
  const fd = fs.openSync(logPath, 'a');
  const p = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd: tmpRoot });
  fs.closeSync(fd);
  children.add(p);
  p.label = label;
  p.logPath = logPath;
  p.exited = null;
  p.exitPromise = new Promise((resolve) => {
    p.once('exit', (code, signal) => {
      children.delete(p);
      p.exited = { code, signal };
      resolve(p.exited);
    });
    p.once('error', (err) => {
      children.delete(p);
      p.exited = { code: null, signal: null, error: err };
      resolve(p.exited);
    });
  });
  return p;
}

function logTail(p) {
  const tail = (f) => {
    try {
      return fs.readFileSync(f, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  };
  return [p.logPath, p.extraLog].filter(Boolean).map(tail).join('\n') || '(no log)';
}

async function stopProcess(p, signal = 'SIGTERM') {
  if (p.exited) return p.exited;
  p.kill(signal);
  const timer = setTimeout(() => {
    if (!p.exited) p.kill('SIGKILL');
  }, 5000);
  const r = await p.exitPromise;
  clearTimeout(timer);
  return r;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tryConnect(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      s.destroy();
      resolve(false);
    });
  });
}

async function waitForPort(host, port, p) {
  const deadline = Date.now() + 10000;
  for (;;) {
    if (p.exited) throw new Error(`${p.label} exited early (${JSON.stringify(p.exited)}):\n${logTail(p)}`);
    if (await tryConnect(host, port)) return;
    if (Date.now() > deadline) throw new Error(`${p.label}: ${host}:${port} not reachable:\n${logTail(p)}`);
    await sleep(15);
  }
}

function startBackend(kind, server) {
  const { host, port } = server;
  if (kind === 'memcached') {
    const args = ['-l', host, '-p', String(port), '-U', '0', '-m', '64', '-t', '1', '-c', '256'];
    if (process.getuid && process.getuid() === 0) args.push('-u', 'root');
    return startProcess(`memcached-${host}-${port}`, 'memcached', args);
  }
  const dir = fs.mkdtempSync(path.join(tmpRoot, `redis-${port}-`));
  return startProcess(`redis-${host}-${port}`, 'redis-server', [
    '--bind', host, '--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    '--dir', dir, '--logfile', '', '--protected-mode', 'no', '--databases', '1',
  ]);
}

// memcached takes ~0.7 s to shut down on SIGTERM; it holds nothing worth keeping, so it gets SIGKILL.
async function stopBackends(procs) {
  await Promise.all([...procs.values()].map((p) => stopProcess(p, p.label.startsWith('memcached') ? 'SIGKILL' : 'SIGTERM')));
}

async function startBackends(kind, servers) {
  const procs = new Map();
  for (const s of servers) procs.set(addr(s), startBackend(kind, s));
  for (const s of servers) await waitForPort(s.host, s.port, procs.get(addr(s)));
  return procs;
}

// ---------------------------------------------------------------------------------------------
// Tiny pipelined protocol clients (memcached ASCII, RESP)
// ---------------------------------------------------------------------------------------------

class Conn {
  static open(host, port) {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(new Conn(s, `${host}:${port}`));
      });
      s.once('error', reject);
    });
  }

  constructor(sock, name) {
    this.sock = sock;
    this.name = name;
    this.buf = Buffer.alloc(0);
    this.waiting = [];
    this.error = null;
    sock.setNoDelay(true);
    sock.on('data', (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.drain();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error(`${this.name}: connection closed`)));
  }

  drain() {
    while (this.waiting.length) {
      let r;
      try {
        r = this.waiting[0].parse(this.buf);
      } catch (e) {
        this.fail(e);
        return;
      }
      if (!r) return;
      this.buf = this.buf.subarray(r.used);
      this.waiting.shift().resolve(r.value);
    }
  }

  fail(e) {
    this.error ??= e;
    const w = this.waiting;
    this.waiting = [];
    for (const x of w) x.reject(e);
  }

  expect(parse) {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiting.push({ parse, resolve, reject });
    });
  }

  // Send requests in batches, each batch as one write; returns the parsed replies in order.
  async pipeline(requests, parse, batch = 400) {
    const out = [];
    for (let i = 0; i < requests.length; i += batch) {
      const chunk = requests.slice(i, i + batch);
      const replies = Promise.all(chunk.map(() => this.expect(parse)));
      this.sock.write(Buffer.concat(chunk));
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.name}: no reply within ${IO_TIMEOUT_MS} ms`)), IO_TIMEOUT_MS);
      });
      try {
        out.push(...(await Promise.race([replies, timeout])));
      } finally {
        clearTimeout(timer);
      }
    }
    return out;
  }

  async request(req, parse) {
    return (await this.pipeline([req], parse))[0];
  }

  close() {
    this.sock.removeAllListeners('close');
    this.sock.on('error', () => undefined);
    this.sock.destroy();
  }
}

const CRLF = Buffer.from('\r\n');

function readLine(buf, from = 0) {
  const i = buf.indexOf(CRLF, from);
  return i < 0 ? null : { line: buf.toString('latin1', from, i), next: i + 2 };
}

// memcached: one line ("STORED", "NOT_STORED", "SERVER_ERROR ...", ...)
function mcLineReply(buf) {
  const l = readLine(buf);
  return l && { value: l.line, used: l.next };
}

// memcached "get": "END" (miss) or "VALUE k f n\r\n<n bytes>\r\nEND" (hit); anything else is an error line
function mcGetReply(buf) {
  const l = readLine(buf);
  if (!l) return null;
  if (l.line === 'END') return { value: { hit: false }, used: l.next };
  if (!l.line.startsWith('VALUE ')) return { value: { error: l.line }, used: l.next };
  const n = Number(l.line.split(' ')[3]);
  const endAt = l.next + n + 2;
  if (buf.length < endAt + 5) return null;
  if (buf.toString('latin1', endAt, endAt + 5) !== 'END\r\n') throw new Error(`bad get reply: ${l.line}`);
  return { value: { hit: true }, used: endAt + 5 };
}

function mcStatsReply(buf) {
  const stats = {};
  let at = 0;
  for (;;) {
    const l = readLine(buf, at);
    if (!l) return null;
    at = l.next;
    if (l.line === 'END') return { value: stats, used: at };
    const [, name, val] = l.line.split(' ');
    stats[name] = val;
  }
}

const mcSet = (k) => Buffer.concat([Buffer.from('set '), Buffer.from(k, 'utf8'), Buffer.from(' 0 0 1\r\n1\r\n')]);
const mcGet = (k) => Buffer.concat([Buffer.from('get '), Buffer.from(k, 'utf8'), CRLF]);

function resp(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(a, 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

// RESP reply (simple string, error, integer, bulk; arrays are not needed here)
function respReply(buf) {
  const l = readLine(buf);
  if (!l) return null;
  const t = l.line[0];
  const rest = l.line.slice(1);
  if (t === '+') return { value: rest, used: l.next };
  if (t === '-') return { value: { error: rest }, used: l.next };
  if (t === ':') return { value: Number(rest), used: l.next };
  if (t === '$') {
    const n = Number(rest);
    if (n < 0) return { value: null, used: l.next };
    if (buf.length < l.next + n + 2) return null;
    return { value: buf.toString('utf8', l.next, l.next + n), used: l.next + n + 2 };
  }
  throw new Error(`unexpected RESP reply: ${l.line}`);
}

// ---------------------------------------------------------------------------------------------
// Observation: read every backend directly
// ---------------------------------------------------------------------------------------------

// Returns Map(key -> "host:port"); asserts every key is on exactly one backend and that the backends
// hold nothing else (item count == keys found), so no key was stored under a different name.
async function observe(kind, keys, servers) {
  const where = new Map();
  for (const s of servers) {
    const c = await Conn.open(s.host, s.port);
    try {
      let found = 0;
      if (kind === 'memcached') {
        const replies = await c.pipeline(keys.map(mcGet), mcGetReply);
        replies.forEach((r, i) => {
          if (r.error) throw new Error(`${addr(s)}: get ${JSON.stringify(keys[i])}: ${r.error}`);
          if (r.hit) {
            const prev = where.get(keys[i]);
            if (prev) throw new Error(`key ${JSON.stringify(keys[i])} found on both ${prev} and ${addr(s)}`);
            where.set(keys[i], addr(s));
            found++;
          }
        });
        const stats = await c.request(Buffer.from('stats\r\n'), mcStatsReply);
        if (Number(stats.curr_items) !== found) throw new Error(`${addr(s)} holds ${stats.curr_items} items, ${found} of our keys`);
      } else {
        const replies = await c.pipeline(keys.map((k) => resp(['EXISTS', k])), respReply);
        replies.forEach((r, i) => {
          if (typeof r !== 'number') throw new Error(`${addr(s)}: EXISTS ${JSON.stringify(keys[i])}: ${JSON.stringify(r)}`);
          if (r === 1) {
            const prev = where.get(keys[i]);
            if (prev) throw new Error(`key ${JSON.stringify(keys[i])} found on both ${prev} and ${addr(s)}`);
            where.set(keys[i], addr(s));
            found++;
          }
        });
        const size = await c.request(resp(['DBSIZE']), respReply);
        if (size !== found) throw new Error(`${addr(s)} holds ${size} keys, ${found} of ours`);
      }
    } finally {
      c.close();
    }
  }
  const missing = keys.filter((k) => !where.has(k));
  if (missing.length) throw new Error(`${missing.length} keys on no backend, e.g. ${JSON.stringify(missing.slice(0, 5))}`);
  return where;
}

async function flushBackends(kind, servers) {
  for (const s of servers) {
    const c = await Conn.open(s.host, s.port);
    try {
      const r = kind === 'memcached' ? await c.request(Buffer.from('flush_all\r\n'), mcLineReply) : await c.request(resp(['FLUSHALL']), respReply);
      if (r !== 'OK') throw new Error(`${addr(s)}: flush: ${JSON.stringify(r)}`);
    } finally {
      c.close();
    }
  }
}

// Write every key through the proxy; all must succeed.
async function writeThroughProxy(kind, listen, keys) {
  const [host, port] = listen.split(':');
  const c = await Conn.open(host, Number(port));
  try {
    const replies = kind === 'memcached'
      ? await c.pipeline(keys.map(mcSet), mcLineReply)
      : await c.pipeline(keys.map((k) => resp(['SET', k, '1'])), respReply);
    replies.forEach((r, i) => {
      if (r !== (kind === 'memcached' ? 'STORED' : 'OK')) throw new Error(`proxy write ${JSON.stringify(keys[i])}: ${JSON.stringify(r)}`);
    });
  } finally {
    c.close();
  }
}

function countsFor(servers, where) {
  const counts = new Map(servers.map((s) => [addr(s), 0]));
  for (const a of where.values()) counts.set(a, counts.get(a) + 1);
  return counts;
}

const serverList = (servers) => servers.map((s) => ({ host: s.host, port: s.port, weight: s.weight, name: s.name }));

// ---------------------------------------------------------------------------------------------
// Versions (recorded in tool_detail; read from the installed software, so stable between runs)
// ---------------------------------------------------------------------------------------------

function dpkgVersion(pkg) {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
}

let versionCache = null;
function versions() {
  if (versionCache) return versionCache;
  const nc = spawnSync(NUTCRACKER, ['--version'], { encoding: 'utf8' });
  const ncVer = /nutcracker-(\S+)/.exec(`${nc.stdout}${nc.stderr}`)?.[1];
  const mcVer = /memcached (\S+)/.exec(execFileSync('memcached', ['-V'], { encoding: 'utf8' }))?.[1];
  const rdVer = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1];
  const cp = spawnSync('memccp', ['--version'], { encoding: 'utf8' });
  const cpMatch = /memcp v(\S+) \(libmemcached v(\S+)\)/.exec(`${cp.stdout}${cp.stderr}`);
  if (!ncVer || !mcVer || !rdVer || !cpMatch) throw new Error('could not read tool versions');
  versionCache = {
    nutcracker: `nutcracker ${ncVer} (Debian package nutcracker ${dpkgVersion('nutcracker')})`,
    nutcrackerShort: `twemproxy ${ncVer}`,
    memcached: `memcached ${mcVer} (Debian ${dpkgVersion('memcached')})`,
    redis: `redis-server ${rdVer} (Debian ${dpkgVersion('redis-server')})`,
    pylibmcDeb: dpkgVersion('python3-pylibmc'),
    libmemcachedDeb: dpkgVersion('libmemcached11'),
    memccp: `memccp ${cpMatch[1]} (Debian libmemcached-tools ${dpkgVersion('libmemcached-tools')})`,
    memccpLib: cpMatch[2],
  };
  return versionCache;
}

// ---------------------------------------------------------------------------------------------
// twemproxy
// ---------------------------------------------------------------------------------------------

function yamlScalar(v) {
  if (typeof v === 'string') return JSON.stringify(v); // a JSON string is a valid YAML double-quoted scalar
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`cannot write ${typeof v} to YAML`);
}

function nutcrackerYaml(poolName, pool) {
  const lines = [`${poolName}:`];
  for (const [k, v] of Object.entries(pool)) {
    if (Array.isArray(v)) {
      lines.push(`  ${k}:`);
      for (const item of v) lines.push(`    - ${yamlScalar(item)}`);
    } else lines.push(`  ${k}: ${yamlScalar(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function readStats() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: STATS_PORT });
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function startProxy(c, confPath, label) {
  const ncLog = path.join(tmpRoot, `${label}.nclog`);
  const proxy = startProcess(label, NUTCRACKER, [
    '-c', confPath, '-o', ncLog, '-v', '6', '-s', String(STATS_PORT), '-a', '127.0.0.1', '-i', '100',
  ]);
  proxy.extraLog = ncLog;
  const [lhost, lport] = c.pool.listen.split(':');
  await waitForPort(lhost, Number(lport), proxy);
  await waitForPort('127.0.0.1', STATS_PORT, proxy);
  return proxy;
}

async function runTwemproxy(c, keys, log) {
  const servers = c.pool.servers.map(parseServerSpec);
  const backends = await startBackends(c.backend, servers);
  const confPath = path.join(tmpRoot, `${c.name}.yml`);
  fs.writeFileSync(confPath, nutcrackerYaml(c.name, c.pool));
  const proxies = [];
  try {
    const check = spawnSync(NUTCRACKER, ['-t', '-c', confPath], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nutcracker rejected the config:\n${check.stdout}${check.stderr}`);

    let live = servers;
    let ejected = null;
    if (c.eject) {
      ejected = await ejectOne(c, keys, servers, backends, confPath, proxies);
      live = servers.filter((s) => addr(s) !== c.eject);
    } else {
      proxies.push(await startProxy(c, confPath, `nutcracker-${c.name}`));
    }
    const proxy = proxies[proxies.length - 1];

    await writeThroughProxy(c.backend, c.pool.listen, keys);
    const where = await observe(c.backend, keys, live);
    if (ejected) ejected.verify(where, log);
    if (proxy.exited) throw new Error(`nutcracker died:\n${logTail(proxy)}`);

    const v = versions();
    const fixture = {
      tool: v.nutcrackerShort,
      tool_detail: v.nutcracker,
      backend: c.backend === 'memcached' ? v.memcached : v.redis,
      pool_name: c.name,
      pool: c.pool,
      servers: serverList(servers),
    };
    if (c.eject) fixture.ejected = [c.eject];
    fixture.key_count = keys.length;
    fixture.counts = countsFor(servers, where);
    fixture.assignments = new Map(keys.map((k) => [k, where.get(k)]));
    return fixture;
  } finally {
    for (const p of proxies) await stopProcess(p);
    await stopBackends(backends);
  }
}

// Kill one backend and make nutcracker eject it; returns a verifier for the final placement.
//  1. A first nutcracker observes the placement with every server up (the baseline), then stops.
//  2. The backends are emptied and the victim is SIGKILLed.
//  3. A fresh nutcracker (no connection to the victim yet) gets requests for keys that lived on the
//     victim, one at a time, until its stats report the ejection; those requests must fail.
async function ejectOne(c, keys, servers, backends, confPath, proxies) {
  const first = await startProxy(c, confPath, `nutcracker-${c.name}-baseline`);
  proxies.push(first);
  await writeThroughProxy(c.backend, c.pool.listen, keys);
  const before = await observe(c.backend, keys, servers);
  await stopProcess(first);
  await flushBackends(c.backend, servers);
  const onVictim = keys.filter((k) => before.get(k) === c.eject);
  if (onVictim.length === 0) throw new Error(`${c.name}: no key lives on ${c.eject}`);

  await stopProcess(backends.get(c.eject), 'SIGKILL');
  const proxy = await startProxy(c, confPath, `nutcracker-${c.name}`);
  proxies.push(proxy);

  const get = (conn, k) => (c.backend === 'memcached' ? conn.request(mcGet(k), mcGetReply) : conn.request(resp(['GET', k]), respReply));
  const [lhost, lport] = c.pool.listen.split(':');
  const conn = await Conn.open(lhost, Number(lport));
  let failedRequests = 0;
  let ejects = 0;
  try {
    for (let i = 0; i < 50 && ejects === 0; i++) {
      const r = await get(conn, onVictim[i % onVictim.length]);
      if (r !== null && typeof r === 'object' && 'error' in r) failedRequests++;
      await sleep(150); // stats are aggregated every 100 ms (-i 100)
      ejects = (await readStats())[c.name].server_ejects;
    }
    if (ejects !== 1) throw new Error(`${c.name}: nutcracker reports server_ejects=${ejects}, expected 1`);
    if (failedRequests < 1) throw new Error(`${c.name}: ejected without a failed request`);
    // A key that lived on the victim must now be served (as a miss) by a survivor.
    const r = await get(conn, onVictim[0]);
    if (c.backend === 'memcached' ? r.hit !== false : r !== null) throw new Error(`${c.name}: after ejection, get -> ${JSON.stringify(r)}`);
  } finally {
    conn.close();
  }
  return {
    verify(where, log) {
      if (onVictim.some((k) => where.get(k) === c.eject)) throw new Error('key still on the ejected server');
      let moved = 0;
      for (const k of keys) if (before.get(k) !== c.eject && before.get(k) !== where.get(k)) moved++;
      log(`    ejected ${c.eject} after ${failedRequests} failed request(s); ` +
        `${onVictim.length} keys left the dead node, ${moved} other keys moved between survivors`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// libmemcached through pylibmc
// ---------------------------------------------------------------------------------------------

const PYLIBMC_API = 'pylibmc.Client(servers, behaviors=steps[0]) -- pylibmc applies these behaviors before it adds the servers, in its fixed order hash, ketama_hash, ketama, ketama_weighted, distribution; later steps: client.set_behaviors(step)';

async function runPylibmc(c, keys) {
  const servers = c.servers.map(parseServerSpec);
  const backends = await startBackends('memcached', servers);
  try {
    const r = spawnSync(PYTHON, [path.join(HERE, 'pylibmc_set.py')], {
      input: JSON.stringify({ servers: c.servers, steps: c.steps, keys }),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      cwd: tmpRoot,
    });
    if (r.status !== 0) throw new Error(`pylibmc helper failed (${r.status}):\n${r.stderr}`);
    const out = JSON.parse(r.stdout);
    if (out.failed.length) throw new Error(`libmemcached failed to store ${out.failed.length} keys: ${JSON.stringify(out.failed.slice(0, 5))}`);
    const where = await observe('memcached', keys, servers);
    const v = versions();
    return {
      tool: `libmemcached ${out.libmemcached_runtime_version}`,
      tool_detail: `pylibmc ${out.pylibmc_version} (Debian python3-pylibmc ${v.pylibmcDeb}) on libmemcached ${out.libmemcached_runtime_version} (Debian libmemcached11 ${v.libmemcachedDeb})`,
      client_config: { servers: c.servers, behaviors_applied_in_order: c.steps, api: PYLIBMC_API },
      effective_behaviors: out.effective_behaviors,
      servers: serverList(servers),
      key_count: keys.length,
      counts: countsFor(servers, where),
      assignments: new Map(keys.map((k) => [k, where.get(k)])),
    };
  } finally {
    await stopBackends(backends);
  }
}

// ---------------------------------------------------------------------------------------------
// libmemcached through memccp (key = file path as passed, with --relative)
// ---------------------------------------------------------------------------------------------

// Lay the keys out as files in as few scratch directories as possible. A key is the relative path
// memccp is given, so it must name a regular file: keys that start or end with "/", end in "." or
// "..", or climb out of the directory cannot be sent and are excluded.
function memccpPlan(keys) {
  const batches = [];
  const excluded = [];
  for (const k of keys) {
    const parts = k.split('/');
    const last = parts.pop();
    if (k.startsWith('/') || last === '' || last === '.' || last === '..') {
      excluded.push(k);
      continue;
    }
    const dirs = [];
    const cur = [];
    let ok = true;
    for (const p of parts) {
      if (p === '' || p === '.') continue;
      if (p === '..') {
        if (!cur.length) {
          ok = false;
          break;
        }
        cur.pop();
        continue;
      }
      cur.push(p);
      dirs.push(cur.join('/'));
    }
    if (!ok) {
      excluded.push(k);
      continue;
    }
    const file = [...cur, last].join('/');
    let b = batches.find((x) => !x.dirs.has(file) && dirs.every((d) => !x.files.has(d)));
    if (!b) {
      b = { dirs: new Set(), files: new Set(), keys: [] };
      batches.push(b);
    }
    for (const d of dirs) b.dirs.add(d);
    b.files.add(file);
    b.keys.push(k);
  }
  return { batches, excluded };
}

async function runMemccp(c, keys) {
  const servers = c.servers.map(parseServerSpec);
  const backends = await startBackends('memcached', servers);
  const serversOpt = servers.map(addr).join(',');
  const { batches, excluded } = memccpPlan(keys);
  const included = keys.filter((k) => !excluded.includes(k));
  try {
    for (const [i, b] of batches.entries()) {
      const dir = fs.mkdtempSync(path.join(tmpRoot, `memccp-${i}-`));
      for (const d of b.dirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
      for (const f of b.files) fs.writeFileSync(path.join(dir, f), '1');
      const args = [`--servers=${serversOpt}`];
      if (c.hashOpt) args.push(`--hash=${c.hashOpt}`);
      args.push('--relative', '--', ...b.keys);
      const r = spawnSync('memccp', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.status !== 0 || r.stderr.trim()) throw new Error(`memccp failed (${r.status}):\n${r.stdout}${r.stderr}`);
    }
    const where = await observe('memcached', included, servers);
    const v = versions();
    const api = `memccp --servers=${serversOpt}${c.hashOpt ? ` --hash=${c.hashOpt}` : ''} --relative -- <key>... ` +
      '(each key is a file path relative to a scratch directory; memccp sets no behavior but the key hash, ' +
      'so the distribution is libmemcached\'s default; behaviors cannot be read back from memccp)';
    return {
      tool: `libmemcached ${v.memccpLib}`,
      tool_detail: `${v.memccp} on libmemcached ${v.memccpLib} (Debian libmemcached11 ${v.libmemcachedDeb})`,
      client_config: {
        servers: c.servers,
        behaviors_applied_in_order: c.hashOpt ? [{ hash: c.hashOpt }] : [],
        api,
      },
      effective_behaviors: null,
      servers: serverList(servers),
      excluded_keys: excluded,
      key_count: included.length,
      counts: countsFor(servers, where),
      assignments: new Map(included.map((k) => [k, where.get(k)])),
    };
  } finally {
    await stopBackends(backends);
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function reexecInNetns() {
  if (process.getuid && process.getuid() !== 0) throw new Error('run as root (needed for unshare --net)');
  const r = spawnSync('unshare', ['--net', '--fork', '--', process.execPath, SCRIPT, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [NETNS_MARK]: '1' },
  });
  if (r.error) throw r.error;
  process.exit(r.status ?? 1);
}

function setUpNetns() {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const ifaces = Object.keys(os.networkInterfaces());
  if (ifaces.some((i) => i !== 'lo')) throw new Error(`not in a private network namespace (interfaces: ${ifaces.join(', ')})`);
}

// Keys of a fixture file in file order (JSON.parse would move integer-like keys first).
function keysOfFixtureFile(text) {
  const lines = text.split('\n');
  const start = lines.indexOf(' "assignments": {');
  if (start < 0) throw new Error('no assignments block');
  const keys = [];
  for (let i = start + 1; i < lines.length && lines[i] !== ' }'; i++) {
    keys.push(Object.keys(JSON.parse(`{${lines[i].replace(/,$/, '')}}`))[0]);
  }
  return keys;
}

// withEmptyKey: redis pools also get the empty key (memcached cannot store it).
async function runCase(c, keys, log, withEmptyKey) {
  if (c.kind === 'twemproxy') return runTwemproxy(c, c.backend === 'redis' && withEmptyKey ? [...keys, ''] : keys, log);
  if (c.kind === 'pylibmc') return runPylibmc(c, keys);
  return runMemccp(c, keys);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const all = buildCases();
  if (opts.list) {
    for (const c of all) console.log(c.name);
    return;
  }
  const unknown = opts.only.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown case(s): ${unknown.join(', ')}`);
  if (!process.env[NETNS_MARK]) return reexecInNetns();
  setUpNetns();

  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'shardcache-ground-truth-'));
  const started = Date.now();
  const log = (m) => console.log(m);
  try {
    let cases = opts.only.length ? all.filter((c) => opts.only.includes(c.name)) : all;
    if (opts.verifyAgainst) {
      cases = cases.filter((c) => fs.existsSync(path.join(opts.verifyAgainst, `${c.name}.json`)));
      let bad = 0;
      for (const c of cases) {
        const file = path.join(opts.verifyAgainst, `${c.name}.json`);
        const text = fs.readFileSync(file, 'utf8');
        const keys = keysOfFixtureFile(text);
        const fixture = await runCase(c, keys, log, false);
        const mine = serialize(fixture);
        if (mine === text) {
          log(`${c.name}: byte-identical to ${file} (${keys.length} keys)`);
          continue;
        }
        bad++;
        const theirs = JSON.parse(text);
        const diffFields = Object.keys(theirs).filter((k) => k !== 'assignments' && JSON.stringify(theirs[k]) !== JSON.stringify(JSON.parse(mine)[k]));
        const diffKeys = keys.filter((k) => theirs.assignments[k] !== fixture.assignments.get(k));
        log(`${c.name}: DIFFERS from ${file}: fields [${diffFields.join(', ')}], ${diffKeys.length} assignments differ`);
      }
      log(`verified ${cases.length} case(s) against ${opts.verifyAgainst}: ${bad} differ`);
      if (bad) process.exitCode = 1;
      return;
    }

    const keys = makeKeys();
    fs.mkdirSync(opts.out, { recursive: true });
    const results = new Map();
    for (const c of cases) {
      const t0 = Date.now();
      const fixture = await runCase(c, keys, log, true);
      fs.writeFileSync(path.join(opts.out, `${c.name}.json`), serialize(fixture));
      results.set(c.name, fixture);
      log(`${c.name}: ${fixture.key_count} keys, counts ${[...fixture.counts.values()].join('/')} (${Date.now() - t0} ms)`);
    }
    // memccp vs pylibmc on the same libmemcached configuration
    for (const c of cases.filter((x) => x.kind === 'memccp' && x.sameAs)) {
      const a = results.get(c.name);
      const b = results.get(c.sameAs);
      if (!b) continue;
      const differ = [...a.assignments].filter(([k, v]) => b.assignments.get(k) !== v).length;
      log(`cross-check ${c.name} vs ${c.sameAs}: ${differ} of ${a.assignments.size} keys differ` +
        ` (${a.excluded_keys.length} keys could not be sent by memccp)`);
      if (differ) process.exitCode = 1;
    }
    log(`wrote ${cases.length} fixture(s) to ${opts.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    killAllChildrenSync();
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  }
}

process.on('exit', killAllChildrenSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAllChildrenSync();
    if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
    process.exit(130);
  });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  killAllChildrenSync();
  if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
  process.exit(1);
});
