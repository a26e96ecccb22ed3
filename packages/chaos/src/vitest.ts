import { test } from 'vitest';
import { startFleet, type Fleet, type FleetOptions } from './fleet.js';

/**
 * A vitest `test` with a `fleet` fixture: one fleet per test file, started on first use and
 * stopped by PID after the file's last test, whether the tests passed or failed.
 *
 * @example
 * const it = fleetTest({ memcached: 3, redis: 3 });
 * it('talks to every server', async ({ fleet }) => {
 *   expect(fleet.servers).toHaveLength(6);
 * });
 */
export function fleetTest(options: FleetOptions) {
  return test.extend<{ fleet: Fleet }>({
    fleet: [
      // vitest reads the fixture's dependencies from this destructuring pattern: it has none.
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const fleet = await startFleet(options);
        try {
          await use(fleet);
        } finally {
          await fleet.stop();
        }
      },
      { scope: 'file' },
    ],
  });
}
