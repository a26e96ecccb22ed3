// The chaos project's global setup: empties the results folder before the run, and after the
// last file prints one table over every scenario's report (also written to results/summary.txt)
// and writes results/index.html, linking every scenario's page with its verdict.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageVerdict, renderIndexPage, type IndexEntry } from '@shardcache/chaos';
import { RESULTS_DIR, resultName, type ScenarioResult } from './chaos-kit.js';

let startedAt = 0;

export function setup(): void {
  startedAt = performance.now();
  rmSync(RESULTS_DIR, { recursive: true, force: true });
}

export function teardown(): void {
  if (!existsSync(RESULTS_DIR)) return;
  const results = readdirSync(RESULTS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8')) as ScenarioResult);
  const table = `${formatSummary(results)}\nchaos wall time: ${((performance.now() - startedAt) / 1000).toFixed(1)} s, ${results.length} reports in test/chaos/results/ (pages: index.html)`;
  writeFileSync(join(RESULTS_DIR, 'summary.txt'), `${table}\n`);
  writeFileSync(join(RESULTS_DIR, 'index.html'), renderIndexPage('shardcache chaos suite', results.map(indexEntry)));
  console.log(`\n${table}`);
}

/** A result's line in the index: its page, its verdict, how many checks held. */
export function indexEntry(result: ScenarioResult): IndexEntry {
  const held = result.checks.filter((check) => check.ok).length;
  return { title: result.title, href: `${resultName(result)}.html`, verdict: pageVerdict(result.checks), detail: `${held} of ${result.checks.length} checks hold` };
}

/** One row per scenario and backend: the report's headline numbers, then what the scenario measured itself. */
export function formatSummary(results: readonly ScenarioResult[]): string {
  const ms = (value: number | null): string => (value === null ? '-' : value.toFixed(0));
  const header = ['scenario', 'backend', 'verdict', 'ops', 'errors', 'hit %', 'p99 before/during/after ms', 'max ms', '1st err ms', 'recov ms', 'stale', 'wrong', 'measured'];
  const rows = results.map(({ scenario, backend, report, measured, checks }) => [
    scenario,
    backend,
    pageVerdict(checks),
    String(report.ops),
    report.errors === 0 ? '0' : `${report.errors} (${Object.entries(report.errorsByCode).map(([code, n]) => `${code.replace(/^ERR_/, '')} ${n}`).join(', ')})`,
    (report.hitRate * 100).toFixed(1),
    [report.phases.before, report.phases.during, report.phases.after].map((phase) => (phase.ops === 0 ? '-' : phase.p99.toFixed(1))).join(' / '),
    ms(report.maxCallMs),
    ms(report.timeToFirstErrorMs),
    ms(report.timeToRecoveryMs),
    String(report.staleReads),
    String(report.wrongValues),
    Object.entries(measured).map(([name, value]) => `${name}=${String(value)}`).join(' '),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
