// Stands in for a test runner: starts a small fleet, prints its PIDs as one JSON line, then
// ends the way argv[2] says ('wait' to be killed by a signal, 'crash' by an uncaught error,
// 'faults' to be killed by a signal while one server is paused and another's proxy blackholes).
import { applyFault, startFleet } from '../../src/index.js';

const fleet = await startFleet({ memcached: 2, redis: 2 });
if (process.argv[2] === 'faults') {
  const [paused, blackholed] = fleet.servers;
  if (paused !== undefined) await applyFault(paused, { type: 'pause' });
  if (blackholed !== undefined) await applyFault(blackholed, { type: 'blackhole' });
}
process.stdout.write(`${JSON.stringify({ pids: fleet.servers.map((server) => server.pid) })}\n`);

if (process.argv[2] === 'crash') {
  setImmediate(() => {
    throw new Error('the stand-in runner crashed');
  });
} else {
  setInterval(() => undefined, 60_000);
}
