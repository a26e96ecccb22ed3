#!/usr/bin/env node
import type { WriteStream } from 'node:tty';
import { main } from './main.js';
import type { Terminal } from './internal/terminal.js';

/** A stream as a terminal, only when it is one (escape codes never reach files or pipes). */
function terminal(stream: NodeJS.WriteStream): Terminal | undefined {
  if (stream.isTTY !== true) return undefined;
  const tty = stream as WriteStream;
  return {
    write: (text) => void tty.write(text),
    get columns() {
      return tty.columns > 0 ? tty.columns : 80;
    },
  };
}

// Output piped into a command that stops reading (`| head`): stop quietly, as Unix tools do.
// Exiting runs the chaos toolkit's exit hook, so servers a command started are killed too.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const screen = terminal(process.stdout);
const status = terminal(process.stderr);
const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: async () => {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
  ...(screen === undefined ? {} : { screen }),
  ...(status === undefined ? {} : { status }),
});
process.exitCode = code;
// Interrupted: the servers are stopped; work that cannot be cancelled (a scenario's load) must not keep the process alive.
if (code >= 128) process.exit(code);
