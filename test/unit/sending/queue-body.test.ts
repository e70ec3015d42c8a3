import { describe, expect, it } from 'vitest';
import { PoisonMessageError, parseQueuedSend } from '../../../shared/sending/queued-send.js';
import { parseIngestRequest } from '../../../shared/ingest/handlers.js';
import { ValidationError } from '../../../shared/errors.js';

function poisonOf(body: string): PoisonMessageError {
  try {
    parseQueuedSend(body);
  } catch (error) {
    if (error instanceof PoisonMessageError) return error;
    throw error;
  }
  throw new Error('expected a poison message');
}

describe('Messaging: queue bodies', () => {
  it('reports a send body that is not JSON as bad_json without quoting it', () => {
    const poison = poisonOf('{"to":"ana@acme.example",');
    expect(poison.reason).toBe('bad_json');
    expect(poison.message).not.toContain('ana@acme.example');
  });

  it('names the failing field of a send body and never echoes its value', () => {
    const poison = poisonOf(JSON.stringify({ v: 1, tenantId: 't-1', to: 42 }));
    expect(poison.reason).toBe('schema');
    expect(poison.message).toMatch(/^schema: \w+: \w+$/);
  });

  it('names the failing field of an ingest body', () => {
    expect(() => parseIngestRequest(JSON.stringify({ tenantId: 7 }))).toThrow(ValidationError);
    try {
      parseIngestRequest(JSON.stringify({ tenantId: 7 }));
    } catch (error) {
      expect((error as ValidationError).field).toMatch(/^body\.\w+$/);
    }
    expect(() => parseIngestRequest('not json')).toThrow(/^body: not JSON$/);
  });
});
