// The fleet watchdog: a tiny supervisor that outlives nothing it watches.
//
// A test process starts one watchdog and tells it, on stdin, which server PIDs to watch:
// "+PID" when a server starts, "-PID" when it has been stopped. When the test process dies
// in any way, SIGKILL included, its end of the pipe closes (or our parent PID changes): the
// watchdog then SIGKILLs every PID still watched and exits. A normal exit of the test
// process closes the pipe too, after it has stopped its servers, so nothing is left to kill.
const watched = new Set();
const parentPid = process.ppid;
let pending = '';

function killWatchedAndExit() {
  for (const pid of watched) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  process.exit(0);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf('\n')) !== -1) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    const pid = Number(line.slice(1));
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    if (line.startsWith('+')) watched.add(pid);
    else if (line.startsWith('-')) watched.delete(pid);
  }
});
process.stdin.on('end', killWatchedAndExit);
process.stdin.on('error', killWatchedAndExit);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, killWatchedAndExit);
// Belt and braces: if the pipe were somehow kept open elsewhere, notice the parent is gone.
setInterval(() => {
  if (process.ppid !== parentPid) killWatchedAndExit();
}, 500);
