// Values other clients can read (issue 30): a `values: 'plain'` client and clients written by
// others share keys on real servers, in both directions. pylibmc (libmemcached, ketama) places
// keys itself, against our `libmemcachedRing`; redis-py does not shard, so it is told which node
// our ring names for each key. Text, integers (incr from both sides) and bytes, 1,000 keys of
// each in each direction; every value must come back equal.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { libmemcachedRing } from '@shardcache/ring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardedClient, type Backend, type NodeAddress } from '../src/index.js';

// Debian's interpreter: the pyenv python on PATH cannot import Debian's modules.
const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./support/python-peer.py', import.meta.url));
const COUNT = 1000;

/**
 * test/support/python-peer.py, started once for the file: one JSON line per request, answered in
 * order (a request that raised there fails with the Python traceback). If Python exits (it cannot
 * import the libraries), waiting and later requests fail with what it wrote on stderr.
 */
class PythonPeer {
  readonly #child = spawn(PYTHON, [PEER], { stdio: ['pipe', 'pipe', 'pipe'] });
  readonly #waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  readonly #exited: Promise<void>;
  #stderr = '';
  /** Why the process is gone, once it is: later requests fail at once. */
  #gone: Error | undefined;

  constructor() {
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.#waiting.shift()?.resolve(line));
    this.#child.stderr.on('data', (chunk: Buffer) => void (this.#stderr += chunk.toString()));
    // Writing to a peer that has exited fails the pipe; the exit below says why.
    this.#child.stdin.on('error', () => undefined);
    this.#exited = new Promise((resolve) => {
      const gone = (why: string): void => {
        this.#gone ??= new Error(`${PYTHON} ${PEER} ${why} (\`npm run setup\` installs python3-pylibmc and python3-redis):\n${this.#stderr}`);
        for (const request of this.#waiting.splice(0)) request.reject(this.#gone);
        resolve();
      };
      this.#child.once('error', (error) => gone(`did not start: ${error.message}`));
      this.#child.once('exit', (code) => gone(`exited with code ${String(code)}`));
    });
  }

  async request<T>(request: object): Promise<T> {
    const line = await new Promise<string>((resolve, reject) => {
      if (this.#gone !== undefined) return reject(this.#gone);
      this.#waiting.push({ resolve, reject });
      this.#child.stdin.write(`${JSON.stringify(request)}\n`);
    });
    const answer = JSON.parse(line) as T | { raised: string };
    if (typeof answer === 'object' && answer !== null && 'raised' in answer) throw new Error(`the Python peer raised:\n${answer.raised}`);
    return answer;
  }

  /** Ends its input: the peer finishes its loop and exits. */
  close(): Promise<void> {
    this.#child.stdin.end();
    return this.#exited;
  }
}

/** One value as the Python library handed it over: its Python type (or "error") and its value (bytes as hex). */
type PeerValue = readonly [kind: string, value: unknown];

const python = new PythonPeer();
let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 3, redis: 3 });
  // A request for nothing: Python started and imported both libraries (or the file stops here, saying why).
  await python.request({ backend: 'redis', owners: {}, op: 'read', keys: [] });
});
afterAll(() => Promise.all([fleet.stop(), python.close()]));

/** The other client, for one backend and one set of keys. */
class Peer {
  readonly #where: Record<string, unknown>;

  constructor(backend: Backend, servers: readonly FleetNode[], client: ShardedClient, keys: readonly string[]) {
    this.#where =
      backend === 'memcached'
        ? { backend, servers: servers.map((server) => `${server.host}:${server.port}:1`) }
        : { backend, owners: Object.fromEntries(keys.map((key) => [key, client.locate(key)])) };
  }

  async write(values: Sample): Promise<void> {
    const request = { text: Object.fromEntries(values.text), ints: Object.fromEntries(values.ints), bytes: Object.fromEntries([...values.bytes].map(([key, bytes]) => [key, bytes.toString('hex')])) };
    expect(await this.#run<{ failed: string[] }>('write', request)).toEqual({ failed: [] });
  }

  read(keys: Iterable<string>): Promise<Record<string, PeerValue>> {
    return this.#run('read', { keys: [...keys] });
  }

  incr(keys: Iterable<string>): Promise<Record<string, number | null>> {
    return this.#run('incr', { keys: [...keys] });
  }

  #run<T>(op: string, request: object): Promise<T> {
    return python.request({ ...this.#where, ...request, op });
  }
}

interface Sample {
  readonly text: Map<string, string>;
  readonly ints: Map<string, number>;
  readonly bytes: Map<string, Buffer>;
}

// Text from several scripts and widths (1 to 4 UTF-8 bytes), with spaces, newlines and empty strings.
const LETTERS = ['a', 'Z', '7', ' ', '\n', 'é', 'ß', 'Ω', 'ж', '中', '語', '😀', '𝄞'];

/** `COUNT` keys of each kind under `prefix`, from a fixed seed (a run is repeatable). */
function sample(prefix: string): Sample {
  let state = 0x9e3779b9;
  const next = (): number => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0);
  const text = new Map<string, string>();
  const ints = new Map<string, number>();
  const bytes = new Map<string, Buffer>();
  for (let i = 0; i < COUNT; i++) {
    text.set(`${prefix}:text:${i}`, Array.from({ length: next() % 40 }, () => LETTERS[next() % LETTERS.length]).join(''));
    // Counters up to 2^40: memcached's are unsigned 64-bit, redis' signed, JavaScript's exact to 2^53.
    ints.set(`${prefix}:int:${i}`, i === 0 ? 0 : (next() % 2 ** 20) * 2 ** 20 + (next() % 2 ** 20));
    // Any byte, 0x80-0xff included: most of these are not UTF-8.
    bytes.set(`${prefix}:bytes:${i}`, Buffer.from(Array.from({ length: next() % 64 }, () => next() >>> 24)));
  }
  return { text, ints, bytes };
}

const decimal = (ints: Map<string, number>, plus: number): Map<string, string> => new Map([...ints].map(([key, n]) => [key, String(n + plus)]));

/** What the client reads for `keys`, as a map (getMany: one multi-get per node). */
async function readAll(client: ShardedClient, keys: Iterable<string>, asBuffer = false): Promise<Map<string, unknown>> {
  const list = [...keys];
  const { values, failures } = asBuffer ? await client.getMany(list, { as: 'buffer' }) : await client.getMany(list);
  expect(failures).toEqual([]);
  return new Map(list.map((key, at) => [key, values[at]]));
}

describe.each<Backend>(['memcached', 'redis'])("values: 'plain' shared with %s clients written by others", (backend) => {
  let client: ShardedClient;
  let servers: readonly FleetNode[];
  beforeAll(() => {
    servers = backend === 'memcached' ? fleet.memcached : fleet.redis;
    client = new ShardedClient({
      backend,
      nodes: servers.map((server) => server.address),
      values: 'plain',
      // pylibmc with behaviors={'ketama': True}: libmemcached's consistent ketama, default hash.
      ...(backend === 'memcached' ? { ring: (nodes: readonly NodeAddress[]) => libmemcachedRing({ servers: nodes.map((node) => `${node.host}:${node.port}:1`), distribution: 'consistent ketama', hash: 'default' }) } : {}),
    });
  });
  afterAll(() => client.close());

  const peerFor = (values: Sample): Peer => new Peer(backend, servers, client, [...values.text.keys(), ...values.ints.keys(), ...values.bytes.keys()]);

  it('reads what they wrote: text as strings, integers as decimal text, bytes as Buffers; incr works from both sides', async () => {
    const values = sample(`theirs-${backend}`);
    const peer = peerFor(values);
    await peer.write(values);

    expect(await readAll(client, values.text.keys())).toEqual(values.text);
    expect(await readAll(client, values.ints.keys())).toEqual(decimal(values.ints, 0));
    expect(await readAll(client, values.bytes.keys(), true)).toEqual(values.bytes);

    const ours = await Promise.all([...values.ints.keys()].map((key) => client.incr(key)));
    expect(ours).toEqual([...values.ints.values()].map((n) => n + 1));
    const theirs = await peer.incr(values.ints.keys());
    expect(theirs).toEqual(Object.fromEntries([...values.ints].map(([key, n]) => [key, n + 2])));
    expect(await readAll(client, values.ints.keys())).toEqual(decimal(values.ints, 2));
  });

  it('writes what they read: text as UTF-8, integers as decimal text, bytes as given; incr works from both sides', async () => {
    const values = sample(`ours-${backend}`);
    const peer = peerFor(values);
    const entries = [...values.text, ...values.ints, ...values.bytes].map(([key, value]) => ({ key, value }));
    expect((await client.setMany(entries)).failures).toEqual([]);

    // Flags 0 and no header: both libraries hand our values over as bytes, whatever we wrote.
    const read = await peer.read([...values.text.keys(), ...values.ints.keys(), ...values.bytes.keys()]);
    const asText = (expected: Map<string, string>): Record<string, PeerValue> => Object.fromEntries([...expected].map(([key, text]) => [key, ['bytes', Buffer.from(text).toString('hex')]]));
    expect(pick(read, values.text.keys())).toEqual(asText(values.text));
    expect(pick(read, values.ints.keys())).toEqual(asText(decimal(values.ints, 0)));
    expect(pick(read, values.bytes.keys())).toEqual(Object.fromEntries([...values.bytes].map(([key, bytes]) => [key, ['bytes', bytes.toString('hex')]])));

    expect(await peer.incr(values.ints.keys())).toEqual(Object.fromEntries([...values.ints].map(([key, n]) => [key, n + 1])));
    expect(await Promise.all([...values.ints.keys()].map((key) => client.incr(key)))).toEqual([...values.ints.values()].map((n) => n + 2));
    expect(pick(await peer.read(values.ints.keys()), values.ints.keys())).toEqual(asText(decimal(values.ints, 2)));
  });

  it("is needed: a string the default mode writes, they cannot read as written", async () => {
    // The control for the cases above: the same peer, reading a typed client's string, gets
    // something else (memcached: pylibmc takes the low bit of our flags for its pickle flag and
    // fails; redis: our 12-byte header before the text).
    const typed = new ShardedClient({ backend, nodes: servers.map((server) => server.address), ring: () => client.ring });
    try {
      const key = `typed-${backend}:text`;
      await typed.set(key, 'hello');
      const [kind, value] = (await new Peer(backend, servers, client, [key]).read([key]))[key] ?? [];
      expect(kind).toBe(backend === 'memcached' ? 'error' : 'bytes');
      if (backend === 'redis') expect(Buffer.from(value as string, 'hex').toString('latin1')).toBe('\u0000\u001bSC53430001hello');
      else expect(value).toMatch(/UnpicklingError/);
    } finally {
      await typed.close();
    }
  });
});

function pick<T>(record: Record<string, T>, keys: Iterable<string>): Record<string, T> {
  return Object.fromEntries([...keys].map((key) => [key, record[key] as T]));
}
