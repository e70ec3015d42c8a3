import { describe, expect, it } from 'vitest';
import { SettledKeys } from '../../../shared/sending/stages/settled-keys.js';

describe('Sending: settled keys remembered by the event reconciler', () => {
  it('answers a remembered key per tenant and nothing for a key it never saw', () => {
    const settled = new SettledKeys(10);
    settled.remember('t1', 'key-a', 'sent');

    expect(settled.get('t1', 'key-a')).toBe('sent');
    expect(settled.get('t2', 'key-a')).toBeUndefined();
    expect(settled.get('t1', 'key-b')).toBeUndefined();
  });

  it('forgets the least recently remembered key beyond its capacity', () => {
    const settled = new SettledKeys(2);
    settled.remember('t', 'a', 'sent');
    settled.remember('t', 'b', 'sent');
    settled.remember('t', 'a', 'sent');
    settled.remember('t', 'c', 'not_sent');

    expect(settled.get('t', 'b')).toBeUndefined();
    expect(settled.get('t', 'a')).toBe('sent');
    expect(settled.get('t', 'c')).toBe('not_sent');
  });
});
