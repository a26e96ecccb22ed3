/**
 * A reply that cannot be the answer to what was asked: garbage, a cut-off or oversized frame,
 * an opaque token out of order. Never reaches callers: the connection turns it into an
 * ERR_CONNECTION for every request on it and reconnects, since nothing after it can be trusted.
 */
export class ProtocolViolation extends Error {
  constructor(reason: string) {
    super(`protocol error: ${reason}`);
    this.name = 'ProtocolViolation';
  }
}
