import { expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';
import type { HealthErrorCode } from '../src/index.js';

type Api = typeof api;
/** Exported names whose value is a subclass of HealthError (the base included). */
type ErrorClassName = { [K in keyof Api]: Api[K] extends abstract new (...args: never) => api.HealthError ? K : never }[keyof Api];
/** The `code` type of an exported error class's instances. */
type CodeOf<K extends ErrorClassName> = Api[K] extends abstract new (...args: never) => { readonly code: infer C } ? C : never;

// Every exported error class, with the code it carries. `satisfies` fails to compile when a class
// is exported but not listed here, or a listed code is not in HealthErrorCode.
const CODES = {
  AttemptTimeoutError: 'ERR_ATTEMPT_TIMEOUT',
  BreakerOpenError: 'ERR_BREAKER_OPEN',
  ClosedError: 'ERR_CLIENT_CLOSED',
  DuplicateNodeError: 'ERR_DUPLICATE_NODE',
  InvalidOptionError: 'ERR_INVALID_OPTION',
  InvalidSnapshotError: 'ERR_INVALID_SNAPSHOT',
  RetryBudgetExhaustedError: 'ERR_RETRY_BUDGET_EXHAUSTED',
  UnknownNodeError: 'ERR_UNKNOWN_NODE',
} as const satisfies Record<Exclude<ErrorClassName, 'HealthError'>, HealthErrorCode>;
type Listed = typeof CODES;

it('gives each error class one literal code of the union, and each code of the union a class', () => {
  expectTypeOf<{ readonly [K in keyof Listed]: CodeOf<K> }>().toEqualTypeOf<Listed>();
  expectTypeOf<Listed[keyof Listed]>().toEqualTypeOf<HealthErrorCode>();
});

it.each(Object.keys(CODES) as (keyof Listed)[])('%s is a HealthError', (name) => {
  expect(api[name].prototype).toBeInstanceOf(api.HealthError);
});

it('keys an error by its code, else its name, else ERR_UNKNOWN', () => {
  expect(api.errorCode(new api.BreakerOpenError('a', undefined))).toBe('ERR_BREAKER_OPEN');
  expect(api.errorCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
  expect(api.errorCode(new TypeError('bad'))).toBe('TypeError');
  expect(api.errorCode({ code: '', name: '' })).toBe('ERR_UNKNOWN');
  expect(api.errorCode('boom')).toBe('ERR_UNKNOWN');
  expect(api.errorCode(undefined)).toBe('ERR_UNKNOWN');
});
