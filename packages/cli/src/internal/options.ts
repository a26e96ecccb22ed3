import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export type Backend = 'memcached' | 'redis';

/** `--backend`: memcached or redis. */
export function backendOption(text: string): Backend {
  if (text !== 'memcached' && text !== 'redis') throw new UsageError(`--backend must be memcached or redis, got "${text}"`);
  return text;
}

/** A whole number option within [min, max], named in the error. */
export function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** `--duration SECONDS` (decimals allowed) within [min, max], as milliseconds. */
export function secondsOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a number of seconds from ${min} to ${max}, got "${text}"`);
  }
  return Math.round(value * 1000);
}

/**
 * A file the command writes when it is done (`--html FILE`): checked before anything starts,
 * so a run of minutes is not lost to a folder that does not exist.
 */
export function outputFileOption(name: string, text: string): string {
  if (text.trim() === '') throw new UsageError(`${name} needs a file name, got "${text}"`);
  const folder = dirname(resolve(text));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`${name}: folder "${folder}" does not exist`);
  return text;
}
