/** TanStack's `Subscribable`: listeners in a Set, `subscribe` returns the unsubscribe. */
export class Listeners<E> {
  readonly #listeners = new Set<(event: E) => void>();

  subscribe(listener: (event: E) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Events are built only when someone listens: pass a thunk on hot paths. */
  emit(event: E | (() => E)): void {
    if (this.#listeners.size === 0) return;
    const built = typeof event === 'function' ? (event as () => E)() : event;
    for (const listener of this.#listeners) listener(built);
  }
}
