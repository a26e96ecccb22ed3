import { ansi, colorsFor, fit, type Terminal } from './terminal.js';

const REDRAW_MS = 100;

/**
 * A one-line progress bar redrawn in place on a terminal (stderr, so stdout stays clean for
 * tables and `--json`). Without a terminal every call does nothing.
 *
 * @example
 * const bar = new ProgressBar(output.status, 'bench ring');
 * bar.update(0.5, 'maglev');
 * bar.done();
 */
export class ProgressBar {
  readonly #terminal: Terminal | undefined;
  readonly #label: string;
  readonly #now: () => number;
  #drawnAt = -Infinity;
  #drawn = false;

  constructor(terminal: Terminal | undefined, label: string, now: () => number = () => performance.now()) {
    this.#terminal = terminal;
    this.#label = label;
    this.#now = now;
  }

  /** Shows `share` (0..1) done and what is running; redrawn at most ten times a second. */
  update(share: number, detail = ''): void {
    const terminal = this.#terminal;
    if (terminal === undefined || this.#now() - this.#drawnAt < REDRAW_MS) return;
    this.#drawnAt = this.#now();
    this.#drawn = true;
    const colors = colorsFor(terminal);
    const percent = `${Math.floor(Math.max(0, Math.min(1, share)) * 100)}%`.padStart(4);
    const text = fit(`${this.#label} ${progressBar(share, 24)} ${percent} ${detail}`, terminal.columns - 1);
    terminal.write(`\r${ansi.clearLine}${colors.cyan(text)}`);
  }

  /** Clears the line, leaving the terminal as it was. */
  done(): void {
    if (this.#terminal !== undefined && this.#drawn) this.#terminal.write(`\r${ansi.clearLine}`);
    this.#drawn = false;
  }
}

/** `[#######.........]` for `share` (0..1) at `width` cells, plain text. */
export function progressBar(share: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, share)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
