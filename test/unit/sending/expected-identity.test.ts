import { describe, expect, it } from 'vitest';
import { ExpectedIdentity } from '../../../shared/sending/stages/expected-identity.js';

describe('Sending: the From domain expected before a tenant’s settings are read', () => {
  it('expects the deployment’s default domain for a tenant it has not seen, then the tenant’s last one', () => {
    const expected = new ExpectedIdentity('agent@sender.example');

    const first = expected.next('t1');
    expected.saw('t1', 'Agent@Mail.Northwind.Example');

    expect(first).toBe('sender.example');
    expect(expected.next('t1')).toBe('mail.northwind.example');
    expect(expected.next('t2')).toBe('sender.example');
  });

  it('keeps its last guess when a From address has no usable domain', () => {
    const expected = new ExpectedIdentity('agent@sender.example');

    expected.saw('t1', 'agent@mail.northwind.example');
    expected.saw('t1', 'broken');

    expect(expected.next('t1')).toBe('mail.northwind.example');
  });

  it('forgets the least recently seen tenant beyond its capacity and expects nothing from an unusable default', () => {
    const expected = new ExpectedIdentity('not-an-address', 1);

    expected.saw('t1', 'agent@mail.northwind.example');
    expected.saw('t2', 'agent@mail.contoso.example');

    expect(expected.next('t2')).toBe('mail.contoso.example');
    expect(expected.next('t1')).toBeUndefined();
  });
});
