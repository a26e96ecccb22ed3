import type { KeyFailure } from './errors.js';

/** The outcome of a multi-key read: values in the caller's key order, and the keys that failed. */
export interface ManyResult<T> {
  readonly values: (T | undefined)[];
  readonly failures: readonly KeyFailure[];
}

/** Groups positions of `items` by the node `locate` names (undefined: no node serves them). */
export function groupByNode<T>(items: readonly T[], locate: (item: T) => string | undefined): Map<string | undefined, number[]> {
  const groups = new Map<string | undefined, number[]>();
  items.forEach((item, index) => {
    const node = locate(item);
    const group = groups.get(node);
    if (group === undefined) groups.set(node, [index]);
    else group.push(index);
  });
  return groups;
}
