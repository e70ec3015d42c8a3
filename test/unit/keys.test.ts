import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keys, tenantIdFromKey } from '../../shared/storage/keys.js';
import { decodeCursor, encodeCursor } from '../../shared/storage/table-client.js';

const tenantIdArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,30}$/);
const entityIdArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,30}$/);

describe('Storage: keys', () => {
  it('puts every tenant-owned item in its tenant partition', () => {
    fc.assert(
      fc.property(tenantIdArb, entityIdArb, (tenantId, id) => {
        const partition = `TENANT#${tenantId}`;
        for (const key of [
          keys.tenantSettings(tenantId),
          keys.cycleLock(tenantId),
          keys.cycleCounter(tenantId),
          keys.run(tenantId, '2026010509'),
          keys.contact(tenantId, id),
          keys.account(tenantId, id),
        ]) {
          expect(key.pk).toBe(partition);
          expect(tenantIdFromKey(key.pk)).toBe(tenantId);
        }
      }),
    );
  });

  it('never lets two tenants share a partition', () => {
    fc.assert(
      fc.property(tenantIdArb, tenantIdArb, (a, b) => {
        fc.pre(a !== b);
        expect(keys.tenantSettings(a).pk).not.toBe(keys.tenantSettings(b).pk);
      }),
    );
  });

  it.each([
    { case: 'empty', tenantId: '' },
    { case: 'a hash', tenantId: 'a#b' },
    { case: 'upper case', tenantId: 'Acme' },
    { case: 'a space', tenantId: 'acme corp' },
    { case: 'too long', tenantId: 'a'.repeat(64) },
  ])('refuses a tenant id with $case', ({ tenantId }) => {
    expect(() => keys.tenantSettings(tenantId)).toThrow(/^tenantId: /);
  });

  it('refuses an hour key that is not yyyyMMddHH', () => {
    expect(() => keys.run('acme', '2026-01-05')).toThrow(/^hourKey: /);
  });

  it("keeps a sending identity's items in one shared IDENTITY# partition, outside every tenant's", () => {
    const day = keys.identityDay('mail.northwind.example', '2026-01-05');
    const ladder = keys.identityWarmUp('mail.northwind.example');

    expect(day).toEqual({ pk: 'IDENTITY#mail.northwind.example', sk: 'RATE#2026-01-05' });
    expect(ladder).toEqual({ pk: 'IDENTITY#mail.northwind.example', sk: 'WARMUP' });
    expect(() => tenantIdFromKey(day.pk)).toThrow(/^key: /);
  });

  it.each([
    { case: 'upper case', identity: 'Northwind.example' },
    { case: 'an address', identity: 'agent@northwind.example' },
    { case: 'a hash', identity: 'a#b.example' },
    { case: 'an empty label', identity: 'northwind..example' },
    { case: 'a label starting with -', identity: '-northwind.example' },
    { case: 'too long', identity: `${'a'.repeat(63)}.`.repeat(4) + 'example' },
  ])('refuses a sending identity with $case, naming the field', ({ identity }) => {
    expect(() => keys.identityWarmUp(identity)).toThrow(/^sendingIdentity: /);
  });

  it('refuses an identity day that is not yyyy-MM-dd, naming the field', () => {
    expect(() => keys.identityDay('northwind.example', '20260105')).toThrow(/^utcDate: /);
  });

  it('orders the contact due index chronologically', () => {
    const early = keys.contactDueIndex('acme', 'z', '2026-01-01T00:00:00.000Z').gsi1sk;
    const late = keys.contactDueIndex('acme', 'a', '2026-01-02T00:00:00.000Z').gsi1sk;

    expect(early < late).toBe(true);
  });
});

describe('Storage: cursors', () => {
  it('round-trips a key through an opaque cursor', () => {
    const key = { pk: 'TENANT#a', sk: 'CONTACT#1' };

    expect(decodeCursor(encodeCursor(key), { attribute: 'pk', value: 'TENANT#a' })).toEqual(key);
  });

  it('refuses garbage and cursors of another partition', () => {
    expect(() => decodeCursor('%%%')).toThrow(/^cursor: /);
    expect(() =>
      decodeCursor(encodeCursor({ pk: 'TENANT#b' }), { attribute: 'pk', value: 'TENANT#a' }),
    ).toThrow(/different listing/);
  });
});
