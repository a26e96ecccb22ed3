/**
 * Base class of every error `@shardcache/client` throws. Match on `code`, never on the message.
 */
export class ShardcacheError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
