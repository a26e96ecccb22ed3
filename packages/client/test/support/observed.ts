// Setup of the `client-observed` project: the whole client suite again, with every ShardedClient
// heard by an `error` listener and every command by a diagnostics subscriber, so the paths a
// listener switches on (tracing, error reports) cannot drift from the silent ones.
import { tracingChannel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { ShardedClient } from '../../src/index.js';

const noop = (): void => undefined;
tracingChannel('shardcache:command').subscribe({ start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop });

// Every EventEmitter runs `EventEmitter.init` as it is built (Node's own events.js): the one hook
// that reaches a ShardedClient made anywhere in a test, without changing the tests.
const emitterStatics = EventEmitter as unknown as { init: (this: EventEmitter, ...args: unknown[]) => void };
const init = emitterStatics.init;
emitterStatics.init = function (this: EventEmitter, ...args: unknown[]): void {
  init.apply(this, args);
  if (this instanceof ShardedClient) this.on('error', noop);
};
