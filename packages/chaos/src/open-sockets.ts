import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * How many established TCP connections this process holds to each of `ports` on 127.0.0.1,
 * read from /proc (Linux): the socket inodes this process owns, matched with /proc/net/tcp.
 * For leak checks: a client that closed a node must hold no connection to it.
 *
 * @example
 * await client.removeNodes([node.address]);
 * openSocketsTo([node.port]); // 0 once the removed node's connections are closed
 */
export function openSocketsTo(ports: readonly number[]): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  const wanted = new Set(ports.map((port) => port.toString(16).toUpperCase().padStart(4, '0')));
  let count = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const remotePort = fields[2]?.split(':')[1];
    const state = fields[3];
    const inode = fields[9];
    // 01 = ESTABLISHED.
    if (remotePort !== undefined && wanted.has(remotePort) && state === '01' && inode !== undefined && inodes.has(inode)) count++;
  }
  return count;
}
