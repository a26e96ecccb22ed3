// `npm run nemesis -- --backend memcached|redis --seconds N --seed S [--concurrency 64]`
// Exit codes: 0 nothing found, 1 the checker found something (or the run failed), 2 bad input.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isClean } from './check-history.js';
import { formatVerdict } from './format-verdict.js';
import { NemesisUsageError, parseNemesisArgs, USAGE } from './nemesis-options.js';
import { runNemesis } from './run-nemesis.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseNemesisArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof NemesisUsageError)) throw error;
    console.error(`nemesis: ${error.message}\n${USAGE}`);
    return 2;
  }
  const { backend, seconds, seed, concurrency } = args;
  // NEMESIS_VERBOSE=1 prints each fault and change as it is played.
  const log = process.env['NEMESIS_VERBOSE'] === '1' ? (line: string) => console.log(line) : () => undefined;
  const { history, verdict } = await runNemesis({ backend, seconds, seed, concurrency, log });
  // The whole history as JSON, to study a finding: always when the run found something (in
  // RESULTS_DIR, gitignored), and wherever NEMESIS_HISTORY says.
  const clean = isClean(verdict);
  const historyFile = process.env['NEMESIS_HISTORY'] ?? (clean ? undefined : join(RESULTS_DIR, `${backend}-seed${seed}.json`));
  if (historyFile !== undefined) {
    mkdirSync(dirname(historyFile), { recursive: true });
    writeFileSync(historyFile, JSON.stringify(history));
  }
  // Before the report: its last line is the summary.
  if (historyFile !== undefined) console.log(`history: ${historyFile}`);
  console.log(formatVerdict(`nemesis ${backend}, ${seconds} s, seed ${seed}, concurrency ${concurrency}`, history, verdict));
  return clean ? 0 : 1;
}

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/**
 * Once the report is out the process ends: when nothing holds it open any more, it exits there
 * and then, rather than through Node's exit cleanup (which was seen turning forever at 100 % CPU
 * after some redis runs, a request still pending as the loop wound down). What still holds it
 * open 10 s after the report is a leak: it is named, and fails the run.
 */
const EXIT_GRACE_MS = 10_000;

interface Pending {
  readonly constructor: { readonly name: string };
  hasRef?(): boolean;
}

function pending(): { handles: Pending[]; requests: Pending[] } {
  const node = process as unknown as { _getActiveHandles(): Pending[]; _getActiveRequests(): Pending[] };
  const stdio = new Set<unknown>([process.stdin, process.stdout, process.stderr]);
  return {
    handles: node._getActiveHandles().filter((handle) => !stdio.has(handle) && handle !== watch && (typeof handle.hasRef !== 'function' || handle.hasRef())),
    requests: node._getActiveRequests(),
  };
}

let watch: NodeJS.Timeout | undefined;

/** A pending handle or request by its class, and a socket by its two ends and state. */
function describe(item: Pending): string {
  if (!(item instanceof Socket)) return item.constructor.name;
  const state = item.connecting ? 'connecting' : item.destroyed ? 'destroyed' : item.readyState;
  return `Socket ${item.localAddress ?? '?'}:${String(item.localPort ?? '?')} -> ${item.remoteAddress ?? '?'}:${String(item.remotePort ?? '?')} (${state})`;
}

main().then(
  (code) => {
    process.exitCode = code;
    const reportedAt = Date.now();
    watch = setInterval(() => {
      const { handles, requests } = pending();
      if (handles.length + requests.length === 0) process.exit(code);
      if (Date.now() - reportedAt < EXIT_GRACE_MS) return;
      const names = (list: Pending[]): string => list.map(describe).join(', ') || 'none';
      console.error(`nemesis: still running ${EXIT_GRACE_MS / 1000} s after its report; open handles: ${names(handles)}; pending requests: ${names(requests)}`);
      process.exit(1);
    }, 50);
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
