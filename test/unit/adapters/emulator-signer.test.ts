import { afterEach, describe, expect, it, vi } from 'vitest';
import { emulatorSigner } from '../../../infra/local/emulator-signer.js';

describe('Local: emulator signer', () => {
  it('writes the SigV4-shaped Authorization and X-Amz-Date headers the emulators check for', async () => {
    const request = { headers: { host: '127.0.0.1:4566' } as Record<string, string> };

    const signed = await emulatorSigner('eu-west-1', 'dynamodb').sign(request);

    expect(signed.headers['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
    );
    expect(signed.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(signed.headers['host']).toBe('127.0.0.1:4566');
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("dates each request with the current second, not the first request's", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const signer = emulatorSigner('eu-west-1', 'sqs');
    vi.setSystemTime(new Date('2026-03-02T08:00:00.400Z'));
    const first = await signer.sign({ headers: {} as Record<string, string> });
    vi.setSystemTime(new Date('2026-03-02T08:00:01.100Z'));
    const second = await signer.sign({ headers: {} as Record<string, string> });

    expect(first.headers['x-amz-date']).toBe('20260302T080000Z');
    expect(second.headers['x-amz-date']).toBe('20260302T080001Z');
  });
});
