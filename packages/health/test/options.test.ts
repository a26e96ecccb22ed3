import { describe, expect, it } from 'vitest';
import { HealthRegistry, InvalidOptionError, NodeHealth, RetryBudget, RetryPolicy } from '../src/index.js';

const probe = (): Promise<void> => Promise.resolve();

function rejection(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('NodeHealth options', () => {
  it.each([
    [{ serverFailureLimit: 0 }, 'serverFailureLimit', /integer from 1/],
    [{ serverFailureLimit: -3 }, 'serverFailureLimit', /got -3/],
    [{ serverFailureLimit: 1.5 }, 'serverFailureLimit', /got 1.5/],
    [{ serverRetryTimeout: 0 }, 'serverRetryTimeout', /positive/],
    [{ serverRetryTimeout: Number.POSITIVE_INFINITY }, 'serverRetryTimeout', /finite/],
    [{ timeout: -1 }, 'timeout', /positive/],
    [{ timeout: '100' }, 'timeout', /got "100"/],
    [{ maxEjectionMs: 500, serverRetryTimeout: 1000 }, 'maxEjectionMs', /at least serverRetryTimeout/],
    [{ errorRateThreshold: 1.5 }, 'errorRateThreshold', /share from 0 to 1/],
    [{ errorRateThreshold: -0.1 }, 'errorRateThreshold', /share/],
    [{ minimumVolume: 0 }, 'minimumVolume', /integer from 1/],
    [{ windowMs: 500, bucketMs: 1000 }, 'windowMs', /at least one bucket/],
    [{ bucketMs: 0 }, 'bucketMs', /positive/],
    [{ latencySamples: 8 }, 'latencySamples', /integer from 16/],
    [{ successThreshold: 0 }, 'successThreshold', /integer from 1/],
    [{ probeIntervalMs: 0, probe }, 'probeIntervalMs', /positive/],
    [{ probeJitter: 2, probe }, 'probeJitter', /share/],
    [{ probeAlways: 'yes', probe }, 'probeAlways', /true or false/],
    [{ probeAlways: true }, 'probe', /required when probeAlways/],
    [{ autoEjectHosts: 1 }, 'autoEjectHosts', /true or false/],
    [{ autoEjectHosts: true }, 'probe', /required when autoEjectHosts/],
    [{ probe: 'ping' }, 'probe', /function/],
    [{ errorFilter: true }, 'errorFilter', /function/],
    [{ canEject: {} }, 'canEject', /function/],
    [{ random: 0.5 }, 'random', /function/],
    [{ clock: { now: () => 0 } }, 'clock', /schedule/],
    [{ clock: 'system' }, 'clock', /object/],
  ])('rejects %j naming %s', (options, option, reason) => {
    // Options come from configuration files too: the types are the caller's promise, not ours.
    const error = rejection(() => new NodeHealth('a', options as never));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option, message: expect.stringMatching(reason) });
  });

  it('rejects a missing node id and a non-object options value', () => {
    expect(rejection(() => new NodeHealth(''))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'node' });
    expect(rejection(() => new NodeHealth('a', 42 as never))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'options' });
  });

  it('accepts the defaults and every bound', async () => {
    const health = new NodeHealth('a', { errorRateThreshold: 0, probeJitter: 1, windowMs: 1000, bucketMs: 1000, latencySamples: 16, serverFailureLimit: 1 });
    expect(health.timeout).toBe(1000);
    await health.destroy();
  });
});

describe('HealthRegistry options', () => {
  it.each([
    [{ maxEjectedShare: 1.2 }, 'maxEjectedShare'],
    [{ outlierFactor: 1 }, 'outlierFactor'],
    [{ outlierWindowMs: 0 }, 'outlierWindowMs'],
    [{ outlierWindowMs: 500, bucketMs: 1000 }, 'outlierWindowMs'],
    [{ outlierMinSamples: 0 }, 'outlierMinSamples'],
    [{ outlierMinLatencyMs: -1 }, 'outlierMinLatencyMs'],
    [{ ejectOutliers: true }, 'probe'],
    [{ outlierDetection: 'on' }, 'outlierDetection'],
    [{ serverFailureLimit: 0 }, 'serverFailureLimit'],
  ])('rejects %j naming %s at construction', (options, option) => {
    expect(rejection(() => new HealthRegistry(options as never))).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
  });

  it('checks per-node overrides when the node is added', async () => {
    const registry = new HealthRegistry();
    expect(rejection(() => registry.add('a', { successThreshold: -1 }))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'successThreshold' });
    expect(rejection(() => registry.add(''))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'node' });
    await registry.destroy();
  });
});

describe('RetryPolicy and RetryBudget options', () => {
  it.each([
    [{ retries: -1 }, 'retries'],
    [{ retries: 1000 }, 'retries'],
    [{ baseDelayMs: 0 }, 'baseDelayMs'],
    [{ maxDelayMs: 5, baseDelayMs: 10 }, 'maxDelayMs'],
    [{ attemptTimeoutMs: 0 }, 'attemptTimeoutMs'],
    [{ isAmbiguous: 'yes' }, 'isAmbiguous'],
    [{ idempotent: { incr: 'sure' } }, 'idempotent.incr'],
    [{ unref: 0 }, 'unref'],
    [{ random: 4 }, 'random'],
    [{ budget: { ratio: 2 } }, 'ratio'],
    [{ budget: 'lots' }, 'budget'],
  ])('RetryPolicy rejects %j naming %s', (options, option) => {
    expect(rejection(() => new RetryPolicy(options as never))).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
  });

  it.each([
    [{ ratio: -0.1 }, 'ratio'],
    [{ minRetriesPerSecond: -1 }, 'minRetriesPerSecond'],
    [{ windowMs: 0 }, 'windowMs'],
  ])('RetryBudget rejects %j naming %s', (options, option) => {
    expect(rejection(() => new RetryBudget(options))).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
  });

  it('rejects a call without a command or an attempt function', () => {
    const policy = new RetryPolicy();
    expect(rejection(() => policy.run('', async () => 1))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'command' });
    expect(rejection(() => policy.run('get', 'nope' as never))).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'attempt' });
  });
});
