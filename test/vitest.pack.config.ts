// The packed packages as npm users get them (`test/pack/*.pack.ts`): a step of its own in
// `npm test`, after the other suites, because it builds, packs and runs npm install.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sourceResolution } from '../vitest.shared.js';

export default defineConfig({
  ...sourceResolution,
  test: {
    name: 'pack',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['pack/**/*.pack.ts'],
    pool: 'forks',
    // Packing (with each package's prepack build) and npm install, on 2 shared cores.
    hookTimeout: 180_000,
    testTimeout: 60_000,
  },
});
