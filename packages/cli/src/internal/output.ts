import Table from 'cli-table3';
import colors from 'picocolors';

/** A plain table (borders only on a TTY; colours follow NO_COLOR / FORCE_COLOR via picocolors). */
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

export { colors };
