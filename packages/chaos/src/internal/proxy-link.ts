import type { Socket } from 'node:net';
import type { Cancel, Clock } from '@shardcache/health';
import type { FaultCounters, NetworkFault } from '../faults.js';

export type MutableCounters = { -readonly [K in keyof FaultCounters]: number };

/** What a link shares with its connection: the proxy's current fault, counters, clock, dice. */
export interface LinkContext {
  fault(): NetworkFault | undefined;
  readonly counters: MutableCounters;
  readonly clock: Clock;
  readonly random: () => number;
  /** Bytes passed on this connection so far, both ways (for `reset` after n bytes). */
  passed: number;
  /** A blackhole dropped bytes of this connection: it is reset when the blackhole lifts. */
  holed: boolean;
  /** Ends the connection with RST on both sides. */
  reset(): void;
}

interface Pending {
  readonly at: number;
  readonly chunk: Buffer;
}

/**
 * One direction of a proxied connection. Every chunk is judged by the fault active when it
 * arrives: passed on, held until a time (latency, bandwidth; order is always kept), dropped,
 * altered or cut. `end` is passed on only after every held chunk.
 */
export class ProxyLink {
  readonly #to: Socket;
  readonly #direction: 'upstream' | 'downstream';
  readonly #context: LinkContext;
  readonly #queue: Pending[] = [];
  #lastAt = 0;
  #cancelFlush: Cancel | undefined;
  #ending = false;
  #closed = false;

  constructor(to: Socket, direction: 'upstream' | 'downstream', context: LinkContext) {
    this.#to = to;
    this.#direction = direction;
    this.#context = context;
  }

  push(chunk: Buffer): void {
    if (this.#closed) return;
    const { counters, clock, random } = this.#context;
    const fault = this.#context.fault();
    const now = clock.now();
    const applies = (direction: string | undefined): boolean => direction === undefined || direction === 'both' || direction === this.#direction;
    switch (fault?.type) {
      case 'blackhole':
        counters.bytesDropped += chunk.length;
        this.#context.holed = true;
        return;
      case 'reset':
        return this.#resetAfter(chunk, fault.afterBytes ?? 0);
      case 'partial':
        if (this.#direction === 'upstream' && random() < fault.share) {
          counters.requestsFailed += 1;
          counters.bytesDropped += chunk.length;
          this.#context.reset();
          return;
        }
        break;
      case 'corrupt':
        if (this.#direction === 'downstream') return this.#corrupt(chunk, fault.mode);
        break;
      case 'latency':
        if (applies(fault.direction)) {
          counters.bytesHeld += chunk.length;
          return this.#enqueue(chunk, Math.max(now + fault.ms + random() * (fault.jitterMs ?? 0), this.#lastAt));
        }
        break;
      case 'bandwidth':
        if (applies(fault.direction)) {
          counters.bytesHeld += chunk.length;
          // Slices of 1/50 s each, so a big chunk trickles out instead of arriving in one piece.
          const slice = Math.max(1, Math.floor(fault.bytesPerSecond / 50));
          let at = Math.max(now, this.#lastAt);
          for (let offset = 0; offset < chunk.length; offset += slice) {
            const part = chunk.subarray(offset, offset + slice);
            at += (part.length / fault.bytesPerSecond) * 1000;
            this.#enqueue(part, at);
          }
          return;
        }
        break;
      default:
        break;
    }
    this.#enqueue(chunk, Math.max(now, this.#lastAt));
  }

  /** The source ended: end the destination once everything held has gone out. */
  end(): void {
    this.#ending = true;
    this.#flush();
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#cancelFlush?.();
  }

  #resetAfter(chunk: Buffer, afterBytes: number): void {
    const allowed = Math.max(0, afterBytes - this.#context.passed);
    if (allowed > 0) this.#enqueue(chunk.subarray(0, allowed), Math.max(this.#context.clock.now(), this.#lastAt));
    if (allowed >= chunk.length) return;
    this.#context.counters.bytesDropped += chunk.length - allowed;
    this.#flush();
    this.#context.reset();
  }

  #corrupt(chunk: Buffer, mode: 'garbage' | 'truncate'): void {
    const { counters, random } = this.#context;
    if (mode === 'garbage') {
      const garbage = Buffer.alloc(chunk.length);
      for (let index = 0; index < garbage.length; index++) garbage[index] = Math.floor(random() * 256);
      counters.bytesAltered += chunk.length;
      this.#enqueue(garbage, Math.max(this.#context.clock.now(), this.#lastAt), false);
      return;
    }
    const kept = Math.floor(chunk.length / 2);
    counters.bytesDropped += chunk.length - kept;
    counters.connectionsReset += 1;
    this.#enqueue(chunk.subarray(0, kept), Math.max(this.#context.clock.now(), this.#lastAt));
    this.end();
  }

  #enqueue(chunk: Buffer, at: number, countForwarded = true): void {
    if (countForwarded) this.#context.counters.bytesForwarded += chunk.length;
    this.#context.passed += chunk.length;
    this.#lastAt = at;
    this.#queue.push({ at, chunk });
    this.#flush();
  }

  #flush(): void {
    if (this.#closed) return;
    this.#cancelFlush?.();
    this.#cancelFlush = undefined;
    const now = this.#context.clock.now();
    while (this.#queue.length > 0 && (this.#queue[0]?.at ?? Infinity) <= now) {
      const next = this.#queue.shift();
      if (next !== undefined && this.#to.writable) this.#to.write(next.chunk);
    }
    const head = this.#queue[0];
    if (head !== undefined) {
      this.#cancelFlush = this.#context.clock.schedule(() => this.#flush(), Math.max(0, head.at - now));
    } else if (this.#ending && this.#to.writable) {
      this.#to.end();
    }
  }
}
