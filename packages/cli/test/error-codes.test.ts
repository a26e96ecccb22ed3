import { expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';
import type { CliErrorCode } from '../src/index.js';

type Api = typeof api;
/** Exported names whose value is a subclass of CliError (the base included). */
type ErrorClassName = { [K in keyof Api]: Api[K] extends abstract new (...args: never) => api.CliError ? K : never }[keyof Api];
/** The `code` type of an exported error class's instances. */
type CodeOf<K extends ErrorClassName> = Api[K] extends abstract new (...args: never) => { readonly code: infer C } ? C : never;

// Every exported error class, with the code it carries. `satisfies` fails to compile when a class
// is exported but not listed here, or a listed code is not in CliErrorCode.
const CODES = {
  UsageError: 'ERR_USAGE',
} as const satisfies Record<Exclude<ErrorClassName, 'CliError'>, CliErrorCode>;
type Listed = typeof CODES;

it('gives each error class one literal code of the union, and each code of the union a class', () => {
  expectTypeOf<{ readonly [K in keyof Listed]: CodeOf<K> }>().toEqualTypeOf<Listed>();
  expectTypeOf<Listed[keyof Listed]>().toEqualTypeOf<CliErrorCode>();
});

it.each(Object.keys(CODES) as (keyof Listed)[])('%s is a CliError', (name) => {
  expect(api[name].prototype).toBeInstanceOf(api.CliError);
});
