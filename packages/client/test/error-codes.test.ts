import { expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';
import type { ShardcacheErrorCode } from '../src/index.js';

type Api = typeof api;
/** Exported names whose value is a subclass of ShardcacheError (the base included). */
type ErrorClassName = { [K in keyof Api]: Api[K] extends abstract new (...args: never) => api.ShardcacheError ? K : never }[keyof Api];
/** The `code` type of an exported error class's instances. */
type CodeOf<K extends ErrorClassName> = Api[K] extends abstract new (...args: never) => { readonly code: infer C } ? C : never;

// Every exported error class, with the code it carries. `satisfies` fails to compile when a class
// is exported but not listed here, or a listed code is not in ShardcacheErrorCode.
const CODES = {
  BreakerOpenError: 'ERR_BREAKER_OPEN',
  ClosedError: 'ERR_CLIENT_CLOSED',
  ConnectionError: 'ERR_CONNECTION',
  DecodeError: 'ERR_DECODE',
  InvalidArgumentError: 'ERR_INVALID_ARGUMENT',
  InvalidKeyError: 'ERR_INVALID_KEY',
  InvalidOptionError: 'ERR_INVALID_OPTION',
  InvalidTtlError: 'ERR_INVALID_TTL',
  InvalidValueError: 'ERR_INVALID_VALUE',
  MembershipConflictError: 'ERR_MEMBERSHIP_CONFLICT',
  MembershipMalformedError: 'ERR_MEMBERSHIP_MALFORMED',
  MembershipUnavailableError: 'ERR_MEMBERSHIP_UNAVAILABLE',
  NodeUnavailableError: 'ERR_NODE_UNAVAILABLE',
  OverloadedError: 'ERR_OVERLOADED',
  PartialFailureError: 'ERR_PARTIAL_FAILURE',
  ServerError: 'ERR_SERVER',
  TimeoutError: 'ERR_TIMEOUT',
  UnknownError: 'ERR_UNKNOWN',
  UnsupportedError: 'ERR_UNSUPPORTED',
  ValueTooLargeError: 'ERR_VALUE_TOO_LARGE',
} as const satisfies Record<Exclude<ErrorClassName, 'ShardcacheError'>, ShardcacheErrorCode>;
type Listed = typeof CODES;

it('gives each error class one literal code of the union, and each code of the union a class', () => {
  expectTypeOf<{ readonly [K in keyof Listed]: CodeOf<K> }>().toEqualTypeOf<Listed>();
  expectTypeOf<Listed[keyof Listed]>().toEqualTypeOf<ShardcacheErrorCode>();
});

it.each(Object.keys(CODES) as (keyof Listed)[])('%s is a ShardcacheError', (name) => {
  expect(api[name].prototype).toBeInstanceOf(api.ShardcacheError);
});
