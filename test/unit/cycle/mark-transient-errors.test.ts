import type { Request } from '@middy/core';
import { describe, expect, it } from 'vitest';
import {
  isTransientError,
  markTransientErrors,
} from '../../../shared/middleware/mark-transient-errors.js';

function awsError(name: string, status?: number): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  if (status !== undefined) Object.assign(error, { $metadata: { httpStatusCode: status } });
  return error;
}

function networkError(code: string): Error {
  return Object.assign(new Error(`socket ${code}`), { code });
}

function requestWith(error: unknown): Request {
  return { event: {}, context: {}, response: undefined, error, internal: {} } as unknown as Request;
}

async function runOnError(error: unknown): Promise<void> {
  const middleware = markTransientErrors();
  await middleware.onError?.(requestWith(error));
}

describe('Middleware: isTransientError', () => {
  it.each([
    { case: 'ThrottlingException', error: awsError('ThrottlingException', 400), expected: true },
    {
      case: 'ProvisionedThroughputExceededException',
      error: awsError('ProvisionedThroughputExceededException', 400),
      expected: true,
    },
    { case: 'ServiceUnavailable', error: awsError('ServiceUnavailable'), expected: true },
    { case: 'a 503 response', error: awsError('UnknownError', 503), expected: true },
    { case: 'a 500 response', error: awsError('SomethingBroke', 500), expected: true },
    { case: 'an ECONNRESET code', error: networkError('ECONNRESET'), expected: true },
    { case: 'an ETIMEDOUT code', error: networkError('ETIMEDOUT'), expected: true },
    { case: 'a ValidationError', error: awsError('ValidationError'), expected: false },
    { case: 'a ValidationException', error: awsError('ValidationException', 400), expected: false },
    {
      case: 'a ConditionalCheckFailedException',
      error: awsError('ConditionalCheckFailedException', 400),
      expected: false,
    },
    { case: 'a 400 response', error: awsError('BadRequest', 400), expected: false },
    { case: 'a 499 response', error: awsError('ClientClosed', 499), expected: false },
    { case: 'an unrelated error code', error: networkError('ENOENT'), expected: false },
    {
      case: 'a non-string code',
      error: Object.assign(new Error('x'), { code: 503 }),
      expected: false,
    },
    { case: 'a plain error', error: new Error('boom'), expected: false },
    { case: 'a thrown string', error: 'ThrottlingException', expected: false },
    { case: 'an error-shaped object', error: { name: 'ThrottlingException' }, expected: false },
    { case: 'undefined', error: undefined, expected: false },
  ])('answers $expected for $case', ({ error, expected }) => {
    expect(isTransientError(error)).toBe(expected);
  });
});

describe('Middleware: markTransientErrors', () => {
  it('renames a transient error to TransientError and keeps the original name in the message', async () => {
    const error = awsError('ThrottlingException', 400);

    await runOnError(error);

    expect(error.name).toBe('TransientError');
    expect(error.message).toBe('ThrottlingException: ThrottlingException happened');
  });

  it('renames a network failure known only by its code', async () => {
    const error = networkError('ECONNRESET');

    await runOnError(error);

    expect(error.name).toBe('TransientError');
    expect(error.message).toBe('Error: socket ECONNRESET');
  });

  it.each([
    { case: 'a ValidationError', error: awsError('ValidationError') },
    {
      case: 'a ConditionalCheckFailedException',
      error: awsError('ConditionalCheckFailedException', 400),
    },
  ])('leaves $case as it is', async ({ error }) => {
    const { name, message } = error;

    await runOnError(error);

    expect(error.name).toBe(name);
    expect(error.message).toBe(message);
  });

  it('does nothing when the request carries no error', async () => {
    await expect(runOnError(undefined)).resolves.toBeUndefined();
  });
});
