// Resolution shared by every vitest project: workspace packages are imported from their
// TypeScript sources through the `@shardcache/source` export condition (no build needed).
import { defaultServerConditions } from 'vite';
import type { ViteUserConfig } from 'vitest/config';

const conditions = ['@shardcache/source', ...defaultServerConditions];

export const sourceResolution = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@shardcache/source'] } },
} satisfies ViteUserConfig;

/** Test and hook timeouts for every project (real servers, a loaded 2-core machine). */
export const timeouts = { testTimeout: 20_000, hookTimeout: 30_000 } as const;
