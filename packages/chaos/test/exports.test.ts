import { expect, it } from 'vitest';

// The public surface, listed: a change to it must show up in review.
it('exports exactly its public names', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'CallTimeoutError',
    'ChaosError',
    'EtcdCluster',
    'EtcdMember',
    'FaultNotApplicableError',
    'FaultProxy',
    'FleetNode',
    'InvalidOptionError',
    'NodeStoppedError',
    'PID_LOG_ENV',
    'RuntimeUnavailableError',
    'SERVER_KINDS',
    'ServerNotInstalledError',
    'ServerProcess',
    'ServerStartError',
    'applyFault',
    'bucketWidthMs',
    'buildReport',
    'buildTimeline',
    'fleetNames',
    'formatReport',
    'isNetworkFault',
    'openSocketsTo',
    'pageVerdict',
    'recordClientEvents',
    'renderIndexPage',
    'renderScenarioPage',
    'runScenario',
    'seededRandom',
    'startFleet',
    'validateFault',
    'validateServerOptions',
    'watchEventLoop',
  ]);
  expect(Object.keys(await import('../src/vitest.js')).sort()).toEqual(['fleetTest']);
});
