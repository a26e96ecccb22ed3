/**
 * The shape of a memcached key, defined once: how long it may be and which bytes the text
 * protocol carries as they are. `KeyRules` refuses (or digests) keys outside it, the memcached
 * node's `keyToken` base64-encodes them, and the command buffer's one-pass copy and the
 * multi-key first pass ask the same predicates.
 *
 * Text-safe bytes are the printable ASCII `!` to `~` and every byte from 0x80 up. Refused: the
 * C0 controls (0x00-0x1f, among them CR and LF, which would end the command line early), the
 * space (the protocol's token separator) and DEL (0x7f). The predicates take a UTF-16 unit as
 * well as a byte, with the same answer: a unit from 0x80 up is UTF-8-encoded only as bytes from
 * 0x80 up, and a unit below 0x80 is its own byte. So a key is text-safe when every unit is,
 * without encoding it.
 *
 * @example
 * isTextSafeKey('user:1');    // true
 * isTextSafeKey('caf\u00e9'); // true: the UTF-8 bytes c3 a9 go as they are
 * isTextSafeKey('a b');       // false: the meta protocol needs it base64-encoded (`b` flag)
 */

/**
 * memcached's longest key (KEY_MAX_LENGTH), in bytes as the server reads them: for a
 * base64-encoded key, the length of the encoded text.
 */
export const MEMCACHED_MAX_KEY_BYTES = 250;

/**
 * A text-safe byte (or UTF-16 unit) that UTF-8 writes as itself, one byte: `!` to `~`. The
 * command buffer copies these straight into its bytes; anything else takes its general path.
 */
export function isTextSafeAscii(unit: number): boolean {
  return unit > 0x20 && unit < 0x7f;
}

/**
 * A byte (or UTF-16 unit) the text protocol carries as it is. Printable ASCII is tested first:
 * the usual key costs two comparisons per unit (this runs on every call's key).
 */
export function isTextSafe(unit: number): boolean {
  return isTextSafeAscii(unit) || unit >= 0x80;
}

/**
 * Whether every unit of `text` is text-safe (an empty text is). Length is not checked here: its
 * limit is in bytes and applies to what is sent (a prefix included, or the base64 form).
 */
export function isTextSafeKey(text: string): boolean {
  // A loop over the UTF-16 units: faster than a regular expression on short keys.
  for (let at = 0; at < text.length; at++) if (!isTextSafe(text.charCodeAt(at))) return false;
  return true;
}
