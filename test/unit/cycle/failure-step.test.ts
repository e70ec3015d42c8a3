import { describe, expect, it } from 'vitest';
import { describeError } from '../../../shared/cycle/failure-step.js';

describe('Cycle: describeError', () => {
  it.each([
    {
      case: 'a Lambda error whose Cause is JSON with errorMessage',
      error: {
        Error: 'ValidationError',
        Cause: JSON.stringify({
          errorType: 'ValidationError',
          errorMessage: 'tenantId: expected 1-63 characters',
          trace: ['at x', 'at y'],
        }),
      },
      expected: 'ValidationError: tenantId: expected 1-63 characters',
    },
    {
      case: 'a plain-text cause from the local runner',
      error: { Error: 'TransientError', Cause: 'ThrottlingException: slow down' },
      expected: 'TransientError: ThrottlingException: slow down',
    },
    {
      case: 'a JSON cause without errorMessage',
      error: { Error: 'States.Timeout', Cause: '{"detail":"x"}' },
      expected: 'States.Timeout: {"detail":"x"}',
    },
    {
      case: 'a JSON cause whose errorMessage is not a string',
      error: { Error: 'Boom', Cause: '{"errorMessage":42}' },
      expected: 'Boom: {"errorMessage":42}',
    },
    {
      case: 'a JSON null cause',
      error: { Error: 'Boom', Cause: 'null' },
      expected: 'Boom: null',
    },
    {
      case: 'an error without a cause',
      error: { Error: 'States.TaskFailed' },
      expected: 'States.TaskFailed',
    },
    {
      case: 'a cause without an error name',
      error: { Cause: 'just broke' },
      expected: 'just broke',
    },
    {
      case: 'an empty errorMessage',
      error: { Error: 'Boom', Cause: '{"errorMessage":""}' },
      expected: 'Boom',
    },
    { case: 'an empty error object', error: {}, expected: 'unknown error' },
    { case: 'a missing error', error: undefined, expected: 'unknown error' },
  ])('describes $case', ({ error, expected }) => {
    expect(describeError(error)).toBe(expected);
  });

  it('cuts the description to 1,000 characters', () => {
    const description = describeError({
      Error: 'Big',
      Cause: JSON.stringify({ errorMessage: 'x'.repeat(5_000) }),
    });

    expect(description).toHaveLength(1_000);
    expect(description.startsWith('Big: xxx')).toBe(true);
  });
});
