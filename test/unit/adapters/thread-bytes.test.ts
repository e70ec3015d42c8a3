import { describe, expect, it } from 'vitest';
import { ownBytes } from '../../../infra/local/thread-bytes.js';

describe('Local: bytes sent to the DynamoDB thread', () => {
  it('copies a view into a pooled buffer so only its own bytes are cloned', () => {
    const pooled = Buffer.from('{"TableName":"t"}');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);

    const own = ownBytes(pooled);

    expect(own.buffer.byteLength).toBe(pooled.byteLength);
    expect(Buffer.from(own).toString()).toBe('{"TableName":"t"}');
  });

  it('keeps a view that already spans its whole buffer as it is', () => {
    const whole = new Uint8Array([1, 2, 3]);

    expect(ownBytes(whole)).toBe(whole);
  });
});
