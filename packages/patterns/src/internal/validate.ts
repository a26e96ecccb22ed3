import type { TtlInput } from '../cache.js';
import { InvalidOptionError } from '../errors.js';

// Option validators: each names the option and says what was expected, at construction.

export function positiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new InvalidOptionError(option, `expected a whole number > 0, got ${String(value)}`);
}

export function nonNegativeNumber(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new InvalidOptionError(option, `expected a finite number >= 0, got ${String(value)}`);
}

export function positiveNumber(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new InvalidOptionError(option, `expected a finite number > 0, got ${String(value)}`);
}

/** Whole seconds > 0 or 'never'; 0 is refused because the backends disagree on its meaning. */
export function ttlOption(option: string, value: unknown): TtlInput | undefined {
  if (value === undefined || value === 'never') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new InvalidOptionError(option, `expected whole seconds > 0 or 'never', got ${JSON.stringify(value)}`);
}

export function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidOptionError(option, `expected one of ${allowed.join(', ')}, got ${String(value)}`);
}

export function functionOption<F>(option: string, value: F | undefined): F | undefined {
  if (value === undefined || typeof value === 'function') return value;
  throw new InvalidOptionError(option, `expected a function, got ${typeof value}`);
}
