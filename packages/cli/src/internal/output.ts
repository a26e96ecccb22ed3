import Table from 'cli-table3';
import picocolors from 'picocolors';
import { colorsEnabled } from './terminal.js';

/** Colours for stdout: only when it is a terminal, and never with NO_COLOR (see `colorsEnabled`). */
const colors = picocolors.createColors(colorsEnabled(process.stdout.isTTY === true));

/** A table: borders and a bold head on a terminal, plain aligned columns otherwise. */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const plain = !colors.isColorSupported;
  const rendered = new Table({
    head: head.map((cell) => colors.bold(cell)),
    style: { head: [], border: [], compact: true },
    ...(plain ? { chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' } } : {}),
  });
  for (const row of rows) rendered.push(row.map(String));
  return rendered.toString();
}

/** A bar of `share` (0..1) at `width` characters. */
export function bar(share: number, width = 30): string {
  const filled = Math.round(Math.max(0, Math.min(1, share)) * width);
  return colors.cyan('#'.repeat(filled)) + '.'.repeat(width - filled);
}

export function percent(share: number, digits = 2): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/** A count with thousands separators (`12,345`). */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export { colors };

/** Milliseconds as seconds with one decimal (`12.4 s`). */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Counts by code, largest first (`ERR_CONNECTION 31, ERR_TIMEOUT 4`); `-` when empty. */
export function countsByCode(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '-' : entries.map(([code, n]) => `${code} ${count(n)}`).join(', ');
}
