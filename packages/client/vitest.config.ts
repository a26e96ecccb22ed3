import { defineProject } from 'vitest/config';
import { sourceResolution, timeouts } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolution,
  test: { ...timeouts, name: 'client', include: ['test/**/*.test.ts'] },
});
