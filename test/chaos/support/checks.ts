// A scenario's checks as data: each one is judged and recorded with the figure it was judged
// on, the result (and its page) is saved with every verdict, and only then does the test fail,
// naming every check that did not hold. An `expect` that throws at the first failure would
// leave the page without the verdicts after it.
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import type { ReportCheck } from '@shardcache/chaos';

const figure = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

export class Checks {
  readonly #list: ReportCheck[] = [];

  /** Every check so far, in order. */
  get list(): readonly ReportCheck[] {
    return [...this.#list];
  }

  /** A check judged by the caller; `detail` says what was measured. */
  that(name: string, ok: boolean, detail: string): this {
    this.#list.push({ name, ok, detail });
    return this;
  }

  /** `measured <= bound` (NaN, a thing that never happened, fails). */
  atMost(name: string, measured: number, bound: number, unit = ''): this {
    return this.that(name, measured <= bound, `${figure(measured)}${unit}, at most ${figure(bound)}${unit}`);
  }

  /** `measured >= bound`. */
  atLeast(name: string, measured: number, bound: number, unit = ''): this {
    return this.that(name, measured >= bound, `${figure(measured)}${unit}, at least ${figure(bound)}${unit}`);
  }

  /** `measured > bound`. */
  above(name: string, measured: number, bound: number, unit = ''): this {
    return this.that(name, measured > bound, `${figure(measured)}${unit}, more than ${figure(bound)}${unit}`);
  }

  /** `measured < bound`. */
  below(name: string, measured: number, bound: number, unit = ''): this {
    return this.that(name, measured < bound, `${figure(measured)}${unit}, less than ${figure(bound)}${unit}`);
  }

  /** Deep equality, as `toEqual` on plain data. */
  equal(name: string, actual: unknown, expected: unknown): this {
    const ok = isDeepStrictEqual(actual, expected);
    return this.that(name, ok, ok ? JSON.stringify(actual) : `${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }

  /** Fails the test with every check that did not hold (call after the result is saved). */
  assertAll(): void {
    expect(this.#list.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail}`)).toEqual([]);
  }
}
