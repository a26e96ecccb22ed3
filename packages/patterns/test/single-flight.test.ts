import { expect, it } from 'vitest';
import { SingleFlight } from '../src/index.js';

it('runs one call per key while it is in flight and counts the joiners', async () => {
  const joins: number[] = [];
  const flight = new SingleFlight(() => joins.push(1));
  let calls = 0;
  let release: (value: string) => void = () => undefined;
  const fn = () => {
    calls++;
    return new Promise<string>((resolve) => (release = resolve));
  };
  const all = Promise.all(Array.from({ length: 1000 }, () => flight.run('k', fn)));
  const other = flight.run('other', async () => 'x');
  await Promise.resolve();
  release('v');
  expect(await all).toEqual(Array.from({ length: 1000 }, () => 'v'));
  expect(await other).toBe('x');
  expect(calls).toBe(1);
  expect(flight.coalesced).toBe(999);
  expect(joins).toHaveLength(999);
  expect(flight.size).toBe(0);
});

it('forgets a call once it settles, rejected or not', async () => {
  const flight = new SingleFlight();
  await expect(flight.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(flight.has('k')).toBe(false);
  expect(await flight.run('k', async () => 2)).toBe(2);
});

it('turns a synchronous throw into a rejection', async () => {
  const flight = new SingleFlight();
  await expect(
    flight.run('k', () => {
      throw new Error('sync');
    }),
  ).rejects.toThrow('sync');
});
