import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolution,
  // Real fleets and a second Node process on 2 shared cores: generous bounds, never relied on.
  test: { name: 'patterns', include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 30_000 },
});
