import type { FleetNode } from '../fleet-node.js';

/**
 * Names a client's node as the fleet does: the address of a server or of its fault proxy
 * becomes the node's id (`memcached-1`), the name its faults carry, so a page names each node
 * one way; any other address is kept as it is.
 *
 * @example
 * const nameOf = fleetNames(fleet.memcached);
 * nameOf(fleet.memcached[1].proxyAddress); // 'memcached-1'
 */
export function fleetNames(nodes: readonly FleetNode[]): (address: string) => string {
  const names = new Map<string, string>();
  for (const node of nodes) {
    names.set(node.address, node.id);
    if (node.proxyAddress !== undefined) names.set(node.proxyAddress, node.id);
  }
  return (address) => names.get(address) ?? address;
}
