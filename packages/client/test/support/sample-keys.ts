/** 10,000 keys both processes place, to compare their rings. */
export const sampleKeys: readonly string[] = Array.from({ length: 10_000 }, (_, i) => `sample:${i}:${(i * 2654435761) >>> 0}`);
