import { InvalidOptionError } from '../errors.js';

// One checker per kind of option, each naming the option it rejects (STYLE.md: validate where
// input arrives). `undefined` always means "use the default".

export function integer(option: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

export function milliseconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(option, `expected a positive, finite number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

/** A share of something: 0..1 inclusive, or exclusive of 0 when `allowZero` is false. */
export function share(option: string, value: unknown, fallback: number, allowZero = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1) || (!allowZero && value === 0)) {
    throw new InvalidOptionError(option, `expected a share ${allowZero ? 'from 0' : 'above 0'} to 1, got ${describe(value)}`);
  }
  return value;
}

export function number(option: string, value: unknown, fallback: number, min: number, minInclusive = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (!minInclusive && value === min)) {
    throw new InvalidOptionError(option, `expected a finite number ${minInclusive ? '>=' : '>'} ${min}, got ${describe(value)}`);
  }
  return value;
}

export function boolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, `expected true or false, got ${describe(value)}`);
  return value;
}

export function fn<F extends (...args: never[]) => unknown>(option: string, value: F | undefined, fallback: F): F;
export function fn<F extends (...args: never[]) => unknown>(option: string, value: F | undefined): F | undefined;
export function fn<F extends (...args: never[]) => unknown>(option: string, value: F | undefined, fallback?: F): F | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new InvalidOptionError(option, `expected a function, got ${describe(value)}`);
  return value;
}

export function object(option: string, value: unknown): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(option, `expected an object, got ${describe(value)}`);
  }
  return value as Readonly<Record<string, unknown>>;
}

export function nodeId(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(option, `expected a non-empty string node id, got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
