/** A thrown value as an Error: itself when it is one (kept as it is, for callers to match), else wrapped. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
