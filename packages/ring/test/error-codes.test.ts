import { expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';
import type { RingErrorCode } from '../src/index.js';

type Api = typeof api;
/** Exported names whose value is a subclass of RingError (the base included). */
type ErrorClassName = { [K in keyof Api]: Api[K] extends abstract new (...args: never) => api.RingError ? K : never }[keyof Api];
/** The `code` type of an exported error class's instances. */
type CodeOf<K extends ErrorClassName> = Api[K] extends abstract new (...args: never) => { readonly code: infer C } ? C : never;

// Every exported error class, with the code it carries. `satisfies` fails to compile when a class
// is exported but not listed here, or a listed code is not in RingErrorCode.
const CODES = {
  DuplicateNodeError: 'ERR_DUPLICATE_NODE',
  InvalidConfigError: 'ERR_INVALID_CONFIG',
  InvalidKeyError: 'ERR_INVALID_KEY',
  InvalidServerError: 'ERR_INVALID_SERVER',
  InvalidWeightError: 'ERR_INVALID_WEIGHT',
  RingEmptyError: 'ERR_RING_EMPTY',
  UnknownDistributionError: 'ERR_UNKNOWN_DISTRIBUTION',
  UnknownHashError: 'ERR_UNKNOWN_HASH',
  UnknownNodeError: 'ERR_UNKNOWN_NODE',
  UnsupportedError: 'ERR_UNSUPPORTED',
} as const satisfies Record<Exclude<ErrorClassName, 'RingError'>, RingErrorCode>;
type Listed = typeof CODES;

it('gives each error class one literal code of the union, and each code of the union a class', () => {
  expectTypeOf<{ readonly [K in keyof Listed]: CodeOf<K> }>().toEqualTypeOf<Listed>();
  expectTypeOf<Listed[keyof Listed]>().toEqualTypeOf<RingErrorCode>();
});

it.each(Object.keys(CODES) as (keyof Listed)[])('%s is a RingError', (name) => {
  expect(api[name].prototype).toBeInstanceOf(api.RingError);
});
