import picocolors from 'picocolors';

/**
 * A stream the CLI may draw on with cursor movement and colours. `bin.ts` passes stdout and
 * stderr as terminals only when they are TTYs, so output piped to a file or a log never
 * carries escape codes.
 */
export interface Terminal {
  write(text: string): void;
  /** Width in columns (80 when the stream does not say). */
  readonly columns: number;
}

/** The escape sequences the dashboard and the progress bar use. */
export const ansi = {
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
  clearLine: '\x1b[2K',
  clearBelow: '\x1b[J',
  /** To the start of the line `lines` above. */
  up: (lines: number): string => (lines > 0 ? `\x1b[${lines}F` : '\r'),
} as const;

export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Whether to colour what goes to a stream: only to a terminal, and never when NO_COLOR is set
 * (to anything non-empty, as no-color.org says) or TERM is `dumb`.
 */
export function colorsEnabled(isTerminal: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return isTerminal && !noColor && env['TERM'] !== 'dumb';
}

/** Colours for what is written to `terminal` (all plain without one). */
export function colorsFor(terminal: Terminal | undefined, env: NodeJS.ProcessEnv = process.env): Colors {
  return picocolors.createColors(colorsEnabled(terminal !== undefined, env));
}

/** Cuts plain text to `width` visible characters (the callers colour after cutting). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
