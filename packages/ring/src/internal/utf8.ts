// One growable scratch buffer shared by every ring: encoding a key never allocates once the
// buffer is large enough, and JavaScript runs one locate() at a time.
let scratch = new Uint8Array(1024);

/** The shared scratch buffer, grown (doubling) to at least `capacity` bytes. */
export function utf8Scratch(capacity: number): Uint8Array {
  if (scratch.length < capacity) {
    let size = scratch.length;
    while (size < capacity) size *= 2;
    scratch = new Uint8Array(size);
  }
  return scratch;
}

/**
 * Writes `text` as UTF-8 into `out` (which must hold `3 * text.length` bytes) and returns the
 * byte count. Lone surrogates become U+FFFD, as TextEncoder does.
 */
export function encodeUtf8Into(text: string, out: Uint8Array): number {
  let n = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18);
          out[n++] = 0x80 | ((c >> 12) & 0x3f);
          out[n++] = 0x80 | ((c >> 6) & 0x3f);
          out[n++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/** A fresh Uint8Array holding `text` as UTF-8 (for cold paths that keep the bytes). */
export function utf8Bytes(text: string): Uint8Array {
  const buf = new Uint8Array(text.length * 3);
  return buf.slice(0, encodeUtf8Into(text, buf));
}
