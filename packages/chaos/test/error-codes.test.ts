import { expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';
import type { ChaosErrorCode } from '../src/index.js';

type Api = typeof api;
/** Exported names whose value is a subclass of ChaosError (the base included). */
type ErrorClassName = { [K in keyof Api]: Api[K] extends abstract new (...args: never) => api.ChaosError ? K : never }[keyof Api];
/** The `code` type of an exported error class's instances. */
type CodeOf<K extends ErrorClassName> = Api[K] extends abstract new (...args: never) => { readonly code: infer C } ? C : never;

// Every exported error class, with the code it carries. `satisfies` fails to compile when a class
// is exported but not listed here, or a listed code is not in ChaosErrorCode.
const CODES = {
  CallTimeoutError: 'ERR_CALL_TIMEOUT',
  FaultNotApplicableError: 'ERR_FAULT_NOT_APPLICABLE',
  InvalidOptionError: 'ERR_INVALID_OPTION',
  NodeStoppedError: 'ERR_NODE_STOPPED',
  RuntimeUnavailableError: 'ERR_RUNTIME_UNAVAILABLE',
  ServerNotInstalledError: 'ERR_SERVER_NOT_INSTALLED',
  ServerStartError: 'ERR_SERVER_START',
} as const satisfies Record<Exclude<ErrorClassName, 'ChaosError'>, ChaosErrorCode>;
type Listed = typeof CODES;

it('gives each error class one literal code of the union, and each code of the union a class', () => {
  expectTypeOf<{ readonly [K in keyof Listed]: CodeOf<K> }>().toEqualTypeOf<Listed>();
  expectTypeOf<Listed[keyof Listed]>().toEqualTypeOf<ChaosErrorCode>();
});

it.each(Object.keys(CODES) as (keyof Listed)[])('%s is a ChaosError', (name) => {
  expect(api[name].prototype).toBeInstanceOf(api.ChaosError);
});
