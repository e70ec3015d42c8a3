import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRegisteredSecrets,
  createRedactingReplacer,
  isSecretKey,
  REDACTED,
  redactString,
  redactValue,
  registerSecret,
  secretValuesFromEnvironment,
} from '../../../shared/observability/redaction.js';
import { createObservability } from '../../../shared/observability/observability.js';
import { captureConsole } from '../../helpers/capture-console.js';

afterEach(() => {
  clearRegisteredSecrets();
});

describe('Observability: isSecretKey', () => {
  it.each([
    { case: 'password', key: 'password', expected: true },
    { case: 'camelCase client secret', key: 'clientSecret', expected: true },
    { case: 'snake_case refresh token', key: 'refresh_token', expected: true },
    { case: 'an Authorization header', key: 'Authorization', expected: true },
    { case: 'an API key with a dash', key: 'x-api-key', expected: true },
    { case: 'AWS secret access key', key: 'AWS_SECRET_ACCESS_KEY', expected: true },
    { case: 'the idempotency key', key: 'idempotencyKey', expected: false },
    { case: 'a secret ARN (a name, not a secret)', key: 'secretArn', expected: false },
    { case: 'the tenant id', key: 'tenant_id', expected: false },
    { case: 'the X-Ray trace id', key: 'xray_trace_id', expected: false },
  ])('treats $case as secret: $expected', ({ key, expected }) => {
    expect(isSecretKey(key)).toBe(expected);
  });
});

describe('Observability: redactString', () => {
  it.each([
    {
      case: 'a bearer token',
      text: 'GET /gmail failed: Authorization: Bearer ya29.a0AfH6SMBx-abcdefghijkl',
      leaked: 'ya29.a0AfH6SMBx-abcdefghijkl',
    },
    {
      case: 'a Google refresh token',
      text: 'refresh with 1//0gLxQ2abcdefghijklmnopqrstuvwxyz failed',
      leaked: '1//0gLxQ2abcdefghijklmnopqrstuvwxyz',
    },
    {
      case: 'an AWS access key id',
      text: 'signed by AKIAIOSFODNN7EXAMPLE',
      leaked: 'AKIAIOSFODNN7EXAMPLE',
    },
    {
      case: 'credentials in a URL',
      text: 'connect https://agent:hunter2-secret@db.example/x',
      leaked: 'hunter2-secret',
    },
    {
      case: 'a token query parameter',
      text: 'POST /oauth?client_secret=abc123def456&grant=refresh',
      leaked: 'abc123def456',
    },
    {
      case: 'a PEM private key',
      text: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----',
      leaked: 'MIIEvQIBADANBg',
    },
  ])('removes $case', ({ text, leaked }) => {
    // Act
    const redacted = redactString(text);

    // Assess
    expect(redacted).not.toContain(leaked);
    expect(redacted).toContain(REDACTED);
  });

  it('removes registered secret values wherever they appear', () => {
    // Prepare
    registerSecret('tenant-oauth-token-0123456789');

    // Act
    const redacted = redactString('token tenant-oauth-token-0123456789 rejected');

    // Assess
    expect(redacted).toBe(`token ${REDACTED} rejected`);
  });

  it('ignores registered values too short to be told apart from ordinary words', () => {
    // Prepare
    registerSecret('local');

    // Act / Assess
    expect(redactString('local stack')).toBe('local stack');
  });
});

describe('Observability: secretValuesFromEnvironment', () => {
  it('collects secret-looking variables of 8+ characters and nothing else', () => {
    // Prepare
    const env = {
      GMAIL_CLIENT_SECRET: 'gmail-client-secret-value',
      AWS_SESSION_TOKEN: 'session-token-value-123',
      OPENAI_API_KEY: 'sk-abc-123456789',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: 'engagement-agent-table',
    };

    // Act
    const values = secretValuesFromEnvironment(env);

    // Assess
    expect(values.sort()).toEqual(
      ['gmail-client-secret-value', 'session-token-value-123', 'sk-abc-123456789'].sort(),
    );
  });
});

describe('Observability: createRedactingReplacer', () => {
  it('redacts nested secret keys, environment secrets and error messages in one JSON document', () => {
    // Prepare
    const replacer = createRedactingReplacer({ env: { GMAIL_CLIENT_SECRET: 'env-secret-987654' } });
    const document = {
      message: 'calling with env-secret-987654',
      config: { headers: { Authorization: 'Basic dXNlcjpwYXNz' }, retries: 3 },
      tenant: { gmail: { refreshToken: 'whatever-it-is' } },
      count: 2,
    };

    // Act
    const text = JSON.stringify(document, replacer);

    // Assess
    expect(text).not.toContain('env-secret-987654');
    expect(text).not.toContain('dXNlcjpwYXNz');
    expect(text).not.toContain('whatever-it-is');
    expect(JSON.parse(text)).toMatchObject({
      config: { headers: { Authorization: REDACTED }, retries: 3 },
      tenant: { gmail: { refreshToken: REDACTED } },
      count: 2,
    });
  });
});

describe('Observability: redactValue', () => {
  it('returns a redacted copy and leaves the input untouched', () => {
    // Prepare
    const input = { apiKey: 'abcdefgh12345678', note: 'ok' };

    // Act
    const output = redactValue(input);

    // Assess
    expect(output).toEqual({ apiKey: REDACTED, note: 'ok' });
    expect(input.apiKey).toBe('abcdefgh12345678');
  });
});

describe('Observability: createObservability logger', () => {
  it('never prints a secret passed as a key, an environment value or inside an error', () => {
    // Prepare
    const capture = captureConsole();
    try {
      const { logger } = createObservability('test-fn', {
        env: { APP_NAME: 'engagement-agent', STAGE: 'dev', GMAIL_CLIENT_SECRET: 'shh-0123456789' },
      });

      // Act
      logger.info('connecting', { clientSecret: 'shh-0123456789', user: 'ops' });
      logger.error('failed', new Error('401 for client secret shh-0123456789'));
      logger.warn('with cause', {
        error: new Error('outer', { cause: new Error('inner shh-0123456789') }),
      });

      // Assess
      expect(capture.raw.length).toBe(3);
      for (const line of capture.raw) expect(line).not.toContain('shh-0123456789');
      expect(capture.json()[0]).toMatchObject({ clientSecret: REDACTED, user: 'ops' });
    } finally {
      capture.restore();
    }
  });
});
