import { channel, tracingChannel } from 'node:diagnostics_channel';

/**
 * diagnostics_channel tracing. Channels are looked up once; messages are built only when a
 * subscriber exists, and never contain values (keys only when the client opted in).
 */
export interface CommandMessage {
  readonly command: string;
  readonly node: string;
  readonly key?: string;
}

export const commandChannel = tracingChannel<CommandMessage>('shardcache:command');
export const ringChannel = channel('shardcache:ring');
