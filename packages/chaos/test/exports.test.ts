import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'ChaosError',
    'InvalidOptionError',
    'PID_LOG_ENV',
    'SERVER_KINDS',
    'ServerNotInstalledError',
    'ServerProcess',
    'ServerStartError',
    'startFleet',
  ]);
  expect(Object.keys(await import('../src/vitest.js')).sort()).toEqual(['fleetTest']);
});
