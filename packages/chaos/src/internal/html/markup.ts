// Text into HTML, and numbers into the words a report page shows. Everything a page prints
// from a report goes through `text` or `attr`: scenario names, node ids and error codes are
// data, and a page must never run or break on them.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content. */
export const text = (value: string): string => value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);

/** Escapes a value for a double-quoted attribute. */
export const attr = (value: string | number): string => text(String(value));

/** `1,234`. */
export const count = (value: number): string => Math.round(value).toLocaleString('en-US');

/** `12.3 ms`, `1.2 s` from 10 s up; `-` for null or NaN. */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms.toFixed(Math.abs(ms) >= 100 ? 0 : 1)} ms`;
}

/** `97.5 %` from a share 0..1. */
export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** A setting or measured figure as shown: numbers grouped, null as `-`. */
export function plain(value: string | number | boolean | null): string {
  if (value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? count(value) : String(Math.round(value * 1000) / 1000);
  return String(value);
}

/** A coordinate in a chart's 1000 x 100 view box, to 0.01 (sub-pixel at any real size). */
export const coordinate = (value: number): string => String(Math.round(value * 100) / 100);
