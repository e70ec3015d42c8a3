import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SsmParameterStore } from '../../../shared/adapters/parameters/parameter-store.js';
import {
  KILL_SWITCH_CACHE_SECONDS,
  KillSwitch,
} from '../../../shared/adapters/parameters/kill-switch.js';
import { SecretsManagerSecretStore } from '../../../shared/adapters/secrets/secret-store.js';

const ssm = mockClient(SSMClient);
const secrets = mockClient(SecretsManagerClient);
// Workers are shared across files (isolate: false): put the real sends back for the next file.
afterAll(() => {
  ssm.restore();
  secrets.restore();
});
const ON = JSON.stringify({
  state: 'on',
  reason: 'incident',
  changedAt: '2026-01-05T08:00:00.000Z',
});
const OFF = JSON.stringify({ state: 'off', changedAt: '2026-01-05T08:00:00.000Z' });

describe('Adapters: parameters and secrets through Powertools Parameters', () => {
  beforeEach(() => {
    ssm.reset();
    secrets.reset();
    vi.useFakeTimers({ toFake: ['Date'] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('reuses a kill-switch read for its cache TTL and reads SSM again after it', async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: OFF } })
      .resolves({
        Parameter: { Value: ON },
      });
    const killSwitch = new KillSwitch(
      new SsmParameterStore(new SSMClient({ region: 'us-east-1' }), {
        maxAgeSeconds: KILL_SWITCH_CACHE_SECONDS,
      }),
      '/agent/kill-switch',
    );

    expect(await killSwitch.read()).toMatchObject({ on: false });
    vi.advanceTimersByTime(KILL_SWITCH_CACHE_SECONDS * 1_000 - 100);
    expect(await killSwitch.read()).toMatchObject({ on: false });
    vi.advanceTimersByTime(200);
    expect(await killSwitch.read()).toMatchObject({ on: true });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('never caches a failed or missing read, so the switch fails closed until SSM answers', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(new Error('throttled'))
      .rejectsOnce(new ParameterNotFound({ message: 'gone', $metadata: {} }))
      .resolves({ Parameter: { Value: OFF } });
    const killSwitch = new KillSwitch(
      new SsmParameterStore(new SSMClient({ region: 'us-east-1' }), { maxAgeSeconds: 5 }),
      '/agent/kill-switch',
    );

    expect(await killSwitch.read()).toMatchObject({
      unreadable: expect.stringContaining('throttled'),
    });
    expect(await killSwitch.read()).toEqual({
      unreadable: 'parameter /agent/kill-switch does not exist',
    });
    expect(await killSwitch.read()).toMatchObject({ on: false });
  });

  it('reads SSM on every call when no TTL is set (the operator CLI)', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: OFF } });
    const store = new SsmParameterStore(new SSMClient({ region: 'us-east-1' }));

    await store.get('/agent/kill-switch');
    await store.get('/agent/kill-switch');

    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('parses a JSON secret, answers undefined for a missing one and never echoes bad content', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'good' })
      .resolves({ SecretString: '{"refreshToken":"abc"}' })
      .on(GetSecretValueCommand, { SecretId: 'missing' })
      .rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }))
      .on(GetSecretValueCommand, { SecretId: 'broken' })
      .resolves({ SecretString: 'not-json-super-secret' });
    const store = new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'us-east-1' }));

    expect(await store.getJson('good')).toEqual({ refreshToken: 'abc' });
    expect(await store.getJson('missing')).toBeUndefined();
    await expect(store.getJson('broken')).rejects.toThrow(/^secret broken is not valid JSON$/);
  });
});
