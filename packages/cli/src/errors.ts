/**
 * Every `code` a `CliError` can carry, one per class (as undici's errors module does). Errors of
 * the other packages keep their own codes and classes.
 */
export type CliErrorCode = 'ERR_USAGE';

/**
 * Base class of every error the CLI throws. Match on `code`, never on the message.
 */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The command line itself is wrong: an unknown command or option, or a bad value. */
export class UsageError extends CliError {
  declare readonly code: 'ERR_USAGE';

  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}
