// The L1's store against a model (an array in recency order), over random operations.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Lru } from '../src/internal/lru.js';

interface Op {
  kind: 'get' | 'set' | 'delete';
  key: string;
  bytes: number;
  ttl: number;
}

it('behaves like a list in recency order bounded by entries and bytes', () => {
  const op = fc.record({ kind: fc.constantFrom<Op['kind']>('get', 'set', 'delete'), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), bytes: fc.integer({ min: 1, max: 40 }), ttl: fc.integer({ min: 1, max: 5 }) });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 10, max: 100 }), fc.array(op, { maxLength: 60 }), (maxEntries, maxBytes, ops) => {
      const lru = new Lru<string>(maxEntries, maxBytes);
      let model: { key: string; value: string; bytes: number; expiresAt: number }[] = [];
      ops.forEach((step, now) => {
        const found = model.find((entry) => entry.key === step.key);
        if (step.kind === 'get') {
          const live = found !== undefined && now < found.expiresAt ? found : undefined;
          model = model.filter((entry) => entry !== found);
          if (live !== undefined) model.push(live);
          expect(lru.get(step.key, now)).toBe(live?.value);
        } else if (step.kind === 'delete') {
          model = model.filter((entry) => entry !== found);
          expect(lru.delete(step.key)).toBe(found !== undefined);
        } else {
          model = model.filter((entry) => entry !== found);
          const stored = lru.set(step.key, `${step.key}${now}`, step.bytes, now + step.ttl);
          expect(stored).toBe(step.bytes <= maxBytes);
          if (stored) {
            const total = () => model.reduce((sum, entry) => sum + entry.bytes, 0);
            while (model.length >= maxEntries || total() + step.bytes > maxBytes) model.shift();
            model.push({ key: step.key, value: `${step.key}${now}`, bytes: step.bytes, expiresAt: now + step.ttl });
          }
        }
        expect(lru.size).toBe(model.length);
        expect(lru.bytes).toBe(model.reduce((sum, entry) => sum + entry.bytes, 0));
      });
    }),
    { numRuns: 500 },
  );
});
