// `values: 'plain'` through the client, over memory nodes: what reaches a node, what is refused
// before anything does, and reads that ask for bytes. (What other clients make of it, on real
// servers: plain-values-interop.test.ts.)
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ShardedClient, VALUE_FLAGS, type CacheNode, type DumpedItem, type NodeFactory } from '../src/index.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211'];

/** A plain client over memory nodes sharing one item map (a test sees every item wherever it lands); `node` wraps each node. */
function plainClient(node: (base: CacheNode) => CacheNode = (base) => base): { client: ShardedClient; items: Map<string, DumpedItem> } {
  const items = new Map<string, DumpedItem>();
  const client = new ShardedClient({ backend: 'memcached', nodes: IDS, values: 'plain', nodeFactory: (address) => node(memoryNode(address.id, items)) });
  return { client, items };
}

describe("values: 'plain' writes", () => {
  it('stores strings, bytes and integers bare, with flags 0', async () => {
    const { client, items } = plainClient();
    await client.set('s', 'héllo');
    await client.set('b', Buffer.from([0, 255]));
    await client.set('n', 41);
    await client.set('big', 2n ** 63n);
    await client.setMany([{ key: 'm', value: 'x' }]);
    expect(Object.fromEntries([...items].map(([key, item]) => [key, [item.payload.toString('latin1'), item.flags]]))).toEqual({
      s: [Buffer.from('héllo').toString('latin1'), 0],
      b: ['\u0000\u00ff', 0],
      n: ['41', 0],
      big: ['9223372036854775808', 0],
      m: ['x', 0],
    });
  });

  // Every write path refuses before it sends: nothing may reach a node, not even the good
  // entries of a setMany (a half-written batch would be worse than a refused one).
  it.each([
    ['set', (client: ShardedClient) => client.set('k', { a: 1 })],
    ['add', (client: ShardedClient) => client.add('k', true)],
    ['replace', (client: ShardedClient) => client.replace('k', 0.5)],
    ['cas', (client: ShardedClient) => client.cas('k', null, '1')],
    ['setMany', (client: ShardedClient) => client.setMany([{ key: 'a', value: 'fine' }, { key: 'k', value: [1] }, { key: 'b', value: 2 }])],
  ])('%s of a value plain mode cannot store fails with ERR_INVALID_VALUE, nothing sent', async (_name, write) => {
    const sent: string[] = [];
    const { client, items } = plainClient((base) => ({
      ...base,
      set: (...args) => {
        sent.push('set');
        return base.set(...args);
      },
      add: (...args) => {
        sent.push('add');
        return base.add(...args);
      },
      replace: (...args) => {
        sent.push('replace');
        return base.replace(...args);
      },
      cas: (...args) => {
        sent.push('cas');
        return base.cas(...args);
      },
      setMany: (...args) => {
        sent.push('setMany');
        return base.setMany(...args);
      },
    }));
    await expect(write(client)).rejects.toMatchObject({ code: 'ERR_INVALID_VALUE', key: 'k' });
    expect([sent, items.size]).toEqual([[], 0]);
    // The control: the same client sends a value it can store.
    await client.set('k', 'ok');
    expect([sent, items.size]).toEqual([['set'], 1]);
  });
});

describe("values: 'plain' reads", () => {
  const raw = Buffer.from([0x68, 0xc3, 0xa9, 0xff]); // "hé" and a byte that is not UTF-8

  it("give text for bytes without our tag, and the bytes with { as: 'buffer' } on get, gets and getMany", async () => {
    // The memory node keeps no versions: its gets answers with a fixed token.
    const gets = async (base: CacheNode, key: string): Promise<{ value: Buffer; flags: number; cas: string } | undefined> => {
      const item = await base.get(key);
      return item === undefined ? undefined : { ...item, cas: '7' };
    };
    const { client, items } = plainClient((base) => ({ ...base, gets: (key) => gets(base, key) }));
    items.set('k', { payload: raw, flags: 0, ttlMs: null });
    expect(await client.get('k')).toBe('hé\ufffd');
    expect(await client.get('k', { as: 'buffer' })).toEqual(raw);
    expect(await client.gets('k', { as: 'buffer' })).toEqual({ value: raw, cas: '7' });
    expect((await client.getMany(['k', 'absent'], { as: 'buffer' })).values).toEqual([raw, undefined]);
    expect((await client.getMany(['k'])).values).toEqual(['hé\ufffd']);
    expectTypeOf(client.get('k', { as: 'buffer' })).resolves.toEqualTypeOf<Buffer | undefined>();
    expectTypeOf(client.getMany(['k'], { as: 'buffer' })).resolves.toHaveProperty('values').toEqualTypeOf<(Buffer | undefined)[]>();
  });

  it('decode what a typed client wrote as it was written', async () => {
    const items = new Map<string, DumpedItem>();
    const nodeFactory: NodeFactory = (address) => memoryNode(address.id, items);
    const typed = new ShardedClient({ backend: 'memcached', nodes: IDS, nodeFactory });
    const plain = new ShardedClient({ backend: 'memcached', nodes: IDS, nodeFactory, values: 'plain' });
    await typed.set('o', { a: 1 });
    await typed.set('n', 42);
    expect(items.get('o')?.flags).toBe(VALUE_FLAGS.SERIALIZED);
    expect([await plain.get('o'), await plain.get('n')]).toEqual([{ a: 1 }, 42]);
  });

  it("refuses an `as` other than 'buffer', naming the option", async () => {
    const { client } = plainClient();
    const wrong = { as: 'text' } as never;
    for (const read of [client.get('k', wrong), client.gets('k', wrong), client.getMany(['k'], wrong)]) {
      await expect(read).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'as' });
    }
  });
});
