import { encodeUtf8Into } from './utf8.js';

/**
 * Writes `prefix + decimal(n)` as UTF-8 into one reused buffer, for hashing point labels such as
 * `"10.0.0.1:11211-17"` without building a string per point.
 */
export class LabelWriter {
  readonly bytes: Uint8Array;
  /** Bytes of the prefix, written once at the start of `bytes`. */
  readonly prefixLength: number;

  constructor(prefix: string) {
    this.bytes = new Uint8Array(prefix.length * 3 + 16);
    this.prefixLength = encodeUtf8Into(prefix, this.bytes);
  }

  /** Writes the label for `n` (a non-negative integer) and returns its length in bytes. */
  write(n: number): number {
    let end = this.prefixLength;
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    end += digits;
    for (let i = end - 1, rest = n; i >= this.prefixLength; i--, rest = Math.floor(rest / 10)) {
      this.bytes[i] = 0x30 + (rest % 10);
    }
    return end;
  }
}
