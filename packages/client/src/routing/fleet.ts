import type { NodeFactory, ResolvedOptions } from '../client-options.js';
import { NodeUnavailableError, TimeoutError } from '../errors.js';
import { abortable } from '../internal/abortable.js';
import type { DeadlineQueue } from '../internal/deadline-queue.js';
import type { NodeAddress } from '../nodes/node-address.js';
import type { HealthGate } from './health-gate.js';
import { NodeSlot } from './node-slot.js';

/**
 * The node slots this client routes to, one per node in the planned ring: each made by the
 * node factory, behind its health gate, with the client's limits and shared deadlines. A slot
 * made for a change (`create`) joins the fleet only when the change swaps it in (`add`).
 */
export class Fleet {
  readonly #slots = new Map<string, NodeSlot>();
  readonly #options: ResolvedOptions;
  readonly #factory: NodeFactory;
  readonly #deadlines: DeadlineQueue;
  readonly #gate: (id: string) => HealthGate;

  /** `gate` gives a node's health gate (it is called when a slot is made, not before). */
  constructor(options: ResolvedOptions, factory: NodeFactory, deadlines: DeadlineQueue, gate: (id: string) => HealthGate) {
    this.#options = options;
    this.#factory = factory;
    this.#deadlines = deadlines;
    this.#gate = gate;
  }

  get(id: string): NodeSlot | undefined {
    return this.#slots.get(id);
  }

  ids(): IterableIterator<string> {
    return this.#slots.keys();
  }

  get slots(): IterableIterator<NodeSlot> {
    return this.#slots.values();
  }

  get addresses(): NodeAddress[] {
    return [...this.#slots.values()].map((slot) => slot.address);
  }

  /** A new slot (a connection made by the factory), not yet in the fleet. */
  create(address: NodeAddress): NodeSlot {
    const node = this.#factory(address, { backend: this.#options.backend, options: this.#options });
    const { maxInFlight, maxValueBytes, clock } = this.#options;
    return new NodeSlot(address, node, { maxInFlight, maxValueBytes, clock, deadlines: this.#deadlines, gate: this.#gate(address.id) });
  }

  add(slot: NodeSlot): void {
    this.#slots.set(slot.id, slot);
  }

  /** Takes a node's slot out of the fleet (its calls in flight go on: drain, then close it). */
  remove(id: string): NodeSlot | undefined {
    const slot = this.#slots.get(id);
    this.#slots.delete(id);
    return slot;
  }

  /** The fleet as a change would make it: these slots added, these nodes removed. */
  after(added: readonly NodeSlot[], removed: readonly string[] = []): Map<string, NodeSlot> {
    const slots = new Map(this.#slots);
    for (const slot of added) slots.set(slot.id, slot);
    for (const id of removed) slots.delete(id);
    return slots;
  }

  /** Health's active check of a node: a ping within health's deadline (`signal`). */
  probe(id: string, signal: AbortSignal): Promise<void> {
    const slot = this.#slots.get(id);
    if (slot === undefined) return Promise.reject(new NodeUnavailableError(id, 'not in this client'));
    return slot.node.ping({ signal }).catch((error: unknown) => {
      // A probe that timed out leaves the connection out of step, like a late call.
      if (signal.aborted) slot.node.lateCall?.(this.#options.timeoutMs);
      throw error;
    });
  }

  /** A new node must answer a ping within the deadline before the ring includes it (a change waits no longer). */
  answers(slot: NodeSlot): Promise<void> {
    const { clock, timeoutMs } = this.#options;
    const deadline = new AbortController();
    const cancel = clock.schedule(() => deadline.abort(new TimeoutError(slot.id, 'ping (joining)', timeoutMs)), timeoutMs);
    return abortable(slot.node.ping({ signal: deadline.signal }), deadline.signal).finally(cancel);
  }

  /** Waits for every caller, then closes each node. */
  async close(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => slot.drain()));
    await this.destroy();
  }

  /** Closes each node at once (calls in flight fail). */
  async destroy(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => slot.node.destroy()));
  }
}
