const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type InterruptSignal = (typeof SIGNALS)[number];

/** What Ctrl-C (SIGINT) or SIGTERM did to a long-running command. */
export interface Interrupts {
  /** Aborts at the first signal: the command stops its work and every server it started. */
  readonly signal: AbortSignal;
  /** The exit code the signal calls for (130, 143), once one arrived. */
  readonly exitCode: number | undefined;
  /** Removes the handlers (the command is over). */
  dispose(): void;
}

const EXIT_CODES: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Turns SIGINT and SIGTERM into an abort, so a command can stop its servers and say what it
 * did before exiting. A second signal exits at once (the chaos toolkit's own handlers have
 * SIGKILLed the servers by then).
 *
 * @example
 * const interrupts = watchInterrupts();
 * try { await work(interrupts.signal); } finally { interrupts.dispose(); }
 */
export function watchInterrupts(): Interrupts {
  const controller = new AbortController();
  let exitCode: number | undefined;
  const handlers = SIGNALS.map((name) => {
    const handler = (): void => {
      if (exitCode !== undefined) process.exit(exitCode);
      exitCode = EXIT_CODES[name];
      controller.abort(new Error(`interrupted by ${name}`));
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    dispose: () => {
      for (const off of handlers) off();
    },
  };
}

/** Resolves when `signal` aborts (never rejects): race it against work that cannot be cancelled. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
