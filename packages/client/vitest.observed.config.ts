import { defineProject } from 'vitest/config';
import { sourceResolution, timeouts } from '../../vitest.shared.js';

// The client suite a second time, heard: see test/support/observed.ts. The model checker runs
// every case both ways itself, so it is left out here, as are the two slowest real-server files
// (a 100,000-key migration; membership across two processes): they run once, silent.
export default defineProject({
  ...sourceResolution,
  test: { ...timeouts, name: 'client-observed', include: ['test/**/*.test.ts'], exclude: ['test/model.test.ts', 'test/migration.test.ts', 'test/membership.test.ts'], setupFiles: ['test/support/observed.ts'] },
});
