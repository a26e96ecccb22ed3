import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.js';

// Only for `npm run test:containers` (scripts/test-containers.sh): the fleet through testcontainers.
export default defineProject({
  ...sourceResolution,
  test: { name: 'chaos-containers', root: fileURLToPath(new URL('.', import.meta.url)), include: ['test/containers/**/*.containers.ts'], testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false },
});
