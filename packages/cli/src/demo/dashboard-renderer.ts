import { count, countsByCode, percent, seconds } from '../internal/output.js';
import { progressBar } from '../internal/progress-bar.js';
import { ansi, colorsFor, fit, type Colors, type Terminal } from '../internal/terminal.js';
import type { DemoFrame, NodeRow } from './demo-monitor.js';
import type { NodeState } from './demo-stage.js';
import type { DemoRenderer } from './demo-renderer.js';
import { migrationShare } from './plain-renderer.js';
import { describeEvent, type StoryEvent } from './story-events.js';

const EVENTS_SHOWN = 8;
const COLUMNS: readonly { readonly title: string; readonly width: number; readonly right?: boolean }[] = [
  { title: 'node', width: 13 },
  { title: 'address', width: 18 },
  { title: 'pid', width: 8 },
  { title: 'state', width: 9 },
  { title: 'ops/s', width: 8, right: true },
  { title: 'hit rate', width: 9, right: true },
  { title: 'p99 ms', width: 8, right: true },
  { title: 'keys', width: 8, right: true },
];

/**
 * The live dashboard: the same block of lines redrawn in place on a terminal (cursor moved
 * back up, lines cleared), with the fleet, the totals, a migration bar and the latest events.
 * Colours follow `colorsFor` (off with NO_COLOR).
 */
export class DashboardRenderer implements DemoRenderer {
  readonly #terminal: Terminal;
  readonly #colors: Colors;
  readonly #title: string;
  readonly #events: string[] = [];
  #height = 0;

  constructor(terminal: Terminal, title: string) {
    this.#terminal = terminal;
    this.#colors = colorsFor(terminal);
    this.#title = title;
    terminal.write(ansi.hideCursor);
  }

  event(event: StoryEvent): void {
    const text = describeEvent(event);
    if (text === undefined) return;
    this.#events.push(`${seconds(event.atMs).padStart(7)}  ${text}`);
    if (this.#events.length > EVENTS_SHOWN) this.#events.shift();
  }

  frame(frame: DemoFrame): void {
    this.#draw(frame, true);
  }

  close(last: DemoFrame): void {
    this.#draw(last, false);
    this.#terminal.write(ansi.showCursor);
  }

  #draw(frame: DemoFrame, running: boolean): void {
    const lines = this.#lines(frame, running);
    const width = Math.max(20, this.#terminal.columns - 1);
    const text = lines.map((line) => `${ansi.clearLine}${line(width)}\n`).join('');
    this.#terminal.write(`${ansi.up(this.#height)}${text}${ansi.clearBelow}`);
    this.#height = lines.length;
  }

  /** Each line as a function of the width: cut as plain text first, coloured after. */
  #lines(frame: DemoFrame, running: boolean): ((width: number) => string)[] {
    const c = this.#colors;
    const plain = (text: string, paint: (s: string) => string = String) => (width: number) => paint(fit(text, width));
    const phase = frame.phase === undefined ? 'starting' : `phase ${frame.phase.index}/${frame.phase.count}: ${frame.phase.title}`;
    const clock = `${seconds(frame.atMs)} / ${seconds(frame.durationMs)}`;
    const { totals } = frame;
    const lines = [
      plain(`${this.#title}   ${clock}`, c.bold),
      plain(phase, c.cyan),
      plain(''),
      plain(COLUMNS.map((column) => (column.right === true ? column.title.padStart(column.width) : column.title.padEnd(column.width))).join(' '), c.dim),
      ...frame.nodes.map((node) => (width: number) => this.#nodeLine(node, width)),
      plain(''),
      plain(`ops ${count(totals.ops)} (${count(totals.opsPerSecond)}/s)   hit rate ${totals.hitRate === undefined ? '-' : percent(totals.hitRate, 1)}   errors ${count(totals.errors)}${totals.errors === 0 ? '' : ` (${countsByCode(totals.errorsByCode)})`}`),
      plain(`wrong values ${count(totals.wrong)}   stale reads ${count(totals.stale)}`, totals.wrong + totals.stale === 0 ? c.green : c.red),
    ];
    const migration = frame.migration;
    if (migration !== undefined) {
      const share = migrationShare(migration);
      lines.push(plain(`migration ${progressBar(share ?? 0, 30)} ${share === undefined ? '' : percent(share, 0)}  ${count(migration.scanned)} scanned, ${count(migration.moved)} copied from ${migration.node}`, c.cyan));
    }
    lines.push(plain(''), plain('events', c.bold), ...this.#events.map((event) => plain(event)));
    if (running) lines.push(plain(''), plain('Ctrl-C stops the demo and every server it started', c.dim));
    return lines;
  }

  #nodeLine(node: NodeRow, width: number): string {
    const cells = [
      node.id,
      node.address,
      String(node.pid),
      node.state,
      node.state === 'spare' || node.state === 'removed' ? '-' : count(node.opsPerSecond),
      node.hitRate === undefined ? '-' : percent(node.hitRate, 1),
      node.p99Ms === undefined ? '-' : node.p99Ms.toFixed(2),
      node.keys === undefined ? '-' : count(node.keys),
    ];
    const text = fit(cells.map((cell, i) => {
      const column = COLUMNS[i];
      return column?.right === true ? cell.padStart(column.width) : cell.padEnd(column?.width ?? 0);
    }).join(' '), width);
    // Colour the state cell in place (its position is fixed by the columns before it).
    const start = COLUMNS.slice(0, 3).reduce((sum, column) => sum + column.width + 1, 0);
    const end = start + (COLUMNS[3]?.width ?? 0);
    return text.slice(0, start) + this.#paint(node.state)(text.slice(start, end)) + text.slice(end);
  }

  #paint(state: NodeState): (text: string) => string {
    const c = this.#colors;
    switch (state) {
      case 'up':
        return c.green;
      case 'down':
      case 'ejected':
        return c.red;
      case 'warming':
      case 'draining':
        return c.yellow;
      case 'removed':
      case 'spare':
        return c.dim;
    }
  }
}
