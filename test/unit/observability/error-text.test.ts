import { afterEach, describe, expect, it } from 'vitest';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { errorText } from '../../../shared/observability/error-text.js';
import { redactErrors } from '../../../shared/middleware/redact-errors.js';
import { describeIngestFailure } from '../../../shared/ingest/ingest-failure.js';
import { GmailApiError } from '../../../shared/adapters/gmail/gmail-mailbox.js';
import { describeError } from '../../../shared/cycle/failure-step.js';

const TOKEN = 'ya29.a0SecretAccessTokenValue0123456789';

describe('Observability: error text', () => {
  afterEach(() => {
    delete process.env['TEST_CLIENT_SECRET'];
  });

  it('cuts token shapes and secret environment values out of an error and caps its length', () => {
    process.env['TEST_CLIENT_SECRET'] = 'env-held-secret-value';
    const text = errorText(
      new Error(`bad ${TOKEN} and env-held-secret-value ${'x'.repeat(2_000)}`),
    );
    expect(text.startsWith('Error: bad [REDACTED] and [REDACTED] ')).toBe(true);
    expect(text).toHaveLength(1_000);
  });

  it('redacts a Gmail error reason kept on an ingest record', () => {
    const error = new GmailApiError({ kind: 'auth', message: `invalid_grant token=${TOKEN}` });
    expect(describeIngestFailure(error)).toBe('gmail auth: invalid_grant token=[REDACTED]');
  });

  it('redacts a Lambda Cause read back from Step Functions', () => {
    const cause = JSON.stringify({ errorMessage: `Bearer ${TOKEN}`, errorType: 'Error' });
    expect(describeError({ Error: 'Error', Cause: cause })).toBe('Error: Bearer [REDACTED]');
  });
});

describe('Middleware: redactErrors', () => {
  it('rethrows the handler error with message, stack and cause redacted', async () => {
    const handler = middy(async () => {
      throw new Error(`call failed: Bearer ${TOKEN}`, { cause: new Error(`inner ${TOKEN}`) });
    }).use(redactErrors());

    const thrown = await handler({}, {} as Context).catch((error: unknown) => error as Error);

    expect(thrown.message).toBe('call failed: Bearer [REDACTED]');
    expect(thrown.stack).not.toContain(TOKEN);
    expect((thrown.cause as Error).message).toBe('inner [REDACTED]');
  });
});
