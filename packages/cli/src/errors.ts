/**
 * Base class of every error the CLI throws. Match on `code`, never on the message.
 */
export class CliError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The command line itself is wrong: an unknown command or option, or a bad value. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}
