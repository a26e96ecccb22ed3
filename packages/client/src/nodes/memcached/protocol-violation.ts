/**
 * A reply that cannot be the answer to what was asked: garbage, a cut-off or oversized frame,
 * an opaque token out of order. Never reaches callers: the connection turns it into an
 * ERR_CONNECTION for every request on it and reconnects, since nothing after it can be trusted.
 */
export class ProtocolViolation extends Error {
  /** The connection is dropped because of a request (a CLIENT_ERROR to a store), not the server: no node failure. */
  readonly byRequest: boolean;

  constructor(reason: string, options: { readonly byRequest?: boolean } = {}) {
    super(`protocol error: ${reason}`);
    this.name = 'ProtocolViolation';
    this.byRequest = options.byRequest ?? false;
  }
}
