import { describe, expect, it } from 'vitest';
import { parseQueueBody } from '../../../shared/messaging/queue-body.js';
import { sendRequestSchema } from '../../../shared/domain/send-request.js';
import { tenantSettingsInputSchema } from '../../../shared/domain/tenant.js';

describe('Validation: schemas on zod/mini speak English', () => {
  it('states what a queue body field expected in English, not a bare "Invalid input"', () => {
    const parsed = parseQueueBody(sendRequestSchema, JSON.stringify({ version: 1, tenantId: 7 }));
    expect(parsed).toEqual({
      success: false,
      problem: {
        kind: 'schema',
        field: 'tenantId',
        code: 'invalid_type',
        message: 'Invalid input: expected string, received number',
      },
    });
  });

  it('gives the built-in size and format messages with the path of the field', () => {
    const parsed = tenantSettingsInputSchema.safeParse({ name: '', engagementWindowDays: 0 });
    expect(parsed.success).toBe(false);
    expect(
      parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    ).toEqual([
      'name: Too small: expected string to have >=1 characters',
      'engagementWindowDays: Too small: expected number to be >=1',
    ]);
  });

  it('keeps a schema’s own message where it sets one', () => {
    const parsed = tenantSettingsInputSchema.safeParse({ name: 'Acme', timeZone: 'Mars/Olympus' });
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['timeZone'],
      message: 'expected an IANA time zone such as Europe/Berlin',
    });
  });
});
