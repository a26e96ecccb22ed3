// Stands in for a test runner: starts a small fleet, prints its PIDs as one JSON line, then
// ends the way argv[2] says ('wait' to be killed by a signal, 'crash' by an uncaught error).
import { startFleet } from '../../src/index.js';

const fleet = await startFleet({ memcached: 2, redis: 2 });
process.stdout.write(`${JSON.stringify({ pids: fleet.servers.map((server) => server.pid) })}\n`);

if (process.argv[2] === 'crash') {
  setImmediate(() => {
    throw new Error('the stand-in runner crashed');
  });
} else {
  setInterval(() => undefined, 60_000);
}
