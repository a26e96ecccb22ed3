import { expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';
import type { PatternErrorCode } from '../src/index.js';

type Api = typeof api;
/** Exported names whose value is a subclass of PatternError (the base included). */
type ErrorClassName = { [K in keyof Api]: Api[K] extends abstract new (...args: never) => api.PatternError ? K : never }[keyof Api];
/** The `code` type of an exported error class's instances. */
type CodeOf<K extends ErrorClassName> = Api[K] extends abstract new (...args: never) => { readonly code: infer C } ? C : never;

// Every exported error class, with the code it carries. `satisfies` fails to compile when a class
// is exported but not listed here, or a listed code is not in PatternErrorCode.
const CODES = {
  CacheWriteError: 'ERR_CACHE_WRITE',
  CachedLoaderError: 'ERR_CACHED_ERROR',
  ClosedError: 'ERR_CLIENT_CLOSED',
  InvalidOptionError: 'ERR_INVALID_OPTION',
  LoaderError: 'ERR_LOADER',
  LockTimeoutError: 'ERR_LOCK_TIMEOUT',
  QueueFullError: 'ERR_QUEUE_FULL',
  WriteBehindError: 'ERR_WRITE_BEHIND',
  WriterError: 'ERR_WRITER',
} as const satisfies Record<Exclude<ErrorClassName, 'PatternError'>, PatternErrorCode>;
type Listed = typeof CODES;

it('gives each error class one literal code of the union, and each code of the union a class', () => {
  expectTypeOf<{ readonly [K in keyof Listed]: CodeOf<K> }>().toEqualTypeOf<Listed>();
  expectTypeOf<Listed[keyof Listed]>().toEqualTypeOf<PatternErrorCode>();
});

it.each(Object.keys(CODES) as (keyof Listed)[])('%s is a PatternError', (name) => {
  expect(api[name].prototype).toBeInstanceOf(api.PatternError);
});
