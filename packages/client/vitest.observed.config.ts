import { defineProject } from 'vitest/config';
import { sourceResolution, timeouts } from '../../vitest.shared.js';

// The client suite a second time, heard: see test/support/observed.ts. The model checker runs
// every case both ways itself, so it is left out here, as are the slowest real-server files
// (a 100,000-key migration; membership across two processes; etcd membership across 8, whose
// clients live in child processes this setup never reaches, and the etcd source's own file, which
// mostly waits on etcd (a keepalive, restarts) and makes few cache calls; 12,000 keys shared with Python
// clients, whose plain-mode calls are heard here in plain-values.test.ts): they run once, silent.
export default defineProject({
  ...sourceResolution,
  test: { ...timeouts, name: 'client-observed', include: ['test/**/*.test.ts'], exclude: ['test/model.test.ts', 'test/migration.test.ts', 'test/membership.test.ts', 'test/etcd-fleet.test.ts', 'test/etcd-membership.test.ts', 'test/plain-values-interop.test.ts'], setupFiles: ['test/support/observed.ts'] },
});
