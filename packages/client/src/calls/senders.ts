import type { Sender } from './call-engine.js';

// Module-level senders: a write allocates no closure to say what to send.
export const sendSet: Sender<void> = (node, wire, item, ttl) => node.set(wire, item.value, item.flags, ttl);
export const sendAdd: Sender<boolean> = (node, wire, item, ttl) => node.add(wire, item.value, item.flags, ttl);
export const sendReplace: Sender<boolean> = (node, wire, item, ttl) => node.replace(wire, item.value, item.flags, ttl);
