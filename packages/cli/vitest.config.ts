import { defineProject } from 'vitest/config';
import { sourceResolution, timeouts } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolution,
  test: { ...timeouts, name: 'cli', include: ['test/**/*.test.ts'], globalSetup: ['test/support/build-cli.ts'] },
});
