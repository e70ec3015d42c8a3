import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { ContactRepository } from '../../../shared/storage/contact-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const DAY = 86_400_000;
const START = '2026-01-05T09:00:00.000Z';

function day(n: number): string {
  return new Date(Date.parse(START) + n * DAY).toISOString();
}

describe('Storage: ContactRepository', () => {
  let table: TestTable;
  let contacts: ContactRepository;

  beforeAll(async () => {
    table = await createTestTable(START);
    contacts = new ContactRepository({
      doc: table.doc,
      tableName: table.tableName,
      clock: table.clock,
    });
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('gives a contact without createdAt the current time as its engagement baseline', async () => {
    table.clock.advance({ minutes: 5 });
    const now = table.clock.now().toISOString();

    const stored = await contacts.put('created', { contactId: 'c-1', email: 'Ann@Client.Example' });

    expect(stored).toEqual({ contactId: 'c-1', email: 'ann@client.example', createdAt: now });
    expect(await contacts.get('created', 'c-1')).toEqual(stored);
  });

  it('keeps a createdAt the caller gives, normalised to UTC', async () => {
    const stored = await contacts.put('created', {
      contactId: 'c-2',
      email: 'bob@client.example',
      createdAt: '2025-12-01T10:00:00+01:00',
    });

    expect(stored.createdAt).toBe('2025-12-01T09:00:00.000Z');
  });

  it('names the bad field of an invalid contact', async () => {
    await expect(
      contacts.put('created', { contactId: 'c-3', email: 'not-an-email' }),
    ).rejects.toMatchObject({ name: 'ValidationError', field: 'contact.email' });
    expect(await contacts.get('created', 'c-3')).toBeUndefined();
  });

  it('records a newer touch and moves the contact in the due index', async () => {
    // Prepare
    await contacts.put('engage', {
      contactId: 'c-1',
      email: 'c1@client.example',
      lastTouchAt: day(-30),
      nextDueAt: day(-9),
    });
    await contacts.put('engage', {
      contactId: 'c-2',
      email: 'c2@client.example',
      nextDueAt: day(-1),
    });
    const dueBefore = await contacts.listDue('engage', new Date(day(0)));

    // Act
    const moved = await contacts.recordEngagement('engage', 'c-1', {
      lastTouchAt: day(0),
      nextDueAt: day(21),
      lastInboundAt: day(0),
    });

    // Assess
    expect(moved).toBe(true);
    expect(dueBefore.items.map((c) => c.contactId)).toEqual(['c-1', 'c-2']);
    expect(
      (await contacts.listDue('engage', new Date(day(0)))).items.map((c) => c.contactId),
    ).toEqual(['c-2']);
    const later = await contacts.listDue('engage', new Date(day(21)));
    expect(later.items.map((c) => [c.contactId, c.nextDueAt])).toEqual([
      ['c-2', day(-1)],
      ['c-1', day(21)],
    ]);
    expect(await contacts.get('engage', 'c-1')).toMatchObject({
      lastTouchAt: day(0),
      nextDueAt: day(21),
      lastInboundAt: day(0),
    });
  });

  it.each([
    { case: 'an older touch', touch: -5 },
    { case: 'a touch at the same instant', touch: 0 },
  ])('ignores $case arriving late and changes nothing', async ({ touch }) => {
    // Prepare
    const tenant = `late-${touch < 0 ? 'older' : 'same'}`;
    await contacts.put(tenant, {
      contactId: 'c-1',
      email: 'c1@client.example',
      lastTouchAt: day(0),
      nextDueAt: day(21),
    });
    const before = await contacts.get(tenant, 'c-1');

    // Act
    const moved = await contacts.recordEngagement(tenant, 'c-1', {
      lastTouchAt: day(touch),
      nextDueAt: day(touch + 21),
      lastInboundAt: day(touch),
    });

    // Assess
    expect(moved).toBe(false);
    expect(await contacts.get(tenant, 'c-1')).toEqual(before);
    const due = await contacts.listDue(tenant, new Date(day(20)));
    expect(due.items).toEqual([]);
  });

  it('records the first touch of a contact that was never touched', async () => {
    await contacts.put('first-touch', { contactId: 'c-1', email: 'c1@client.example' });

    const moved = await contacts.recordEngagement('first-touch', 'c-1', {
      lastTouchAt: day(0),
      nextDueAt: day(21),
    });

    expect(moved).toBe(true);
    const stored = await contacts.get('first-touch', 'c-1');
    expect(stored).toMatchObject({ lastTouchAt: day(0), nextDueAt: day(21) });
    expect(stored).not.toHaveProperty('lastInboundAt');
    expect(
      (await contacts.listDue('first-touch', new Date(day(21)))).items.map((c) => c.contactId),
    ).toEqual(['c-1']);
  });

  it('does not create a contact when recording engagement for one that does not exist', async () => {
    const moved = await contacts.recordEngagement('missing', 'ghost', {
      lastTouchAt: day(0),
      nextDueAt: day(21),
    });

    expect(moved).toBe(false);
    expect(await contacts.get('missing', 'ghost')).toBeUndefined();
    expect((await contacts.listDue('missing', new Date(day(30)))).items).toEqual([]);
  });

  it('refuses a due date that is not an instant', async () => {
    await contacts.put('bad-due', { contactId: 'c-1', email: 'c1@client.example' });

    const attempt = contacts.recordEngagement('bad-due', 'c-1', {
      lastTouchAt: day(0),
      nextDueAt: 'someday',
    });

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ field: 'nextDueAt' });
    expect(await contacts.get('bad-due', 'c-1')).not.toHaveProperty('lastTouchAt');
  });

  it('marks a queued touch pending once, refuses another touch while it is, and never re-marks a resolved touch', async () => {
    // Prepare
    await contacts.put('pending', { contactId: 'c-1', email: 'c1@client.example' });
    const touch = { touchKey: 'pending:follow_up:c-1:d1', enqueuedAt: day(1) };

    // Act
    const first = await contacts.markPendingSend('pending', 'c-1', touch);
    const again = await contacts.markPendingSend('pending', 'c-1', touch);
    const other = await contacts.markPendingSend('pending', 'c-1', {
      touchKey: 'pending:follow_up:c-1:d2',
      enqueuedAt: day(2),
    });
    await contacts.resolvePendingSend('pending', 'c-1', {
      touchKey: touch.touchKey,
      status: 'sent',
      at: new Date(day(2)),
      resolved: true,
    });
    const afterResolve = await contacts.markPendingSend('pending', 'c-1', touch);

    // Assess
    expect([first, again, other, afterResolve]).toEqual([true, true, false, false]);
    const stored = await contacts.get('pending', 'c-1');
    expect(stored?.pendingSend).toBeUndefined();
    expect(stored?.resolvedTouch).toEqual({ touchKey: touch.touchKey, status: 'sent', at: day(2) });
  });

  it('resolves a touch whose marker Act has not set yet, so a late marker is refused', async () => {
    await contacts.put('late', { contactId: 'c-1', email: 'c1@client.example' });
    await contacts.resolvePendingSend('late', 'c-1', {
      touchKey: 'late:follow_up:c-1:d1',
      status: 'dry_run',
      at: new Date(day(1)),
      resolved: true,
    });

    expect(
      await contacts.markPendingSend('late', 'c-1', {
        touchKey: 'late:follow_up:c-1:d1',
        enqueuedAt: day(1),
      }),
    ).toBe(false);
    expect((await contacts.get('late', 'c-1'))?.pendingSend).toBeUndefined();
  });

  it('refuses to mark a missing contact pending, without creating it', async () => {
    expect(
      await contacts.markPendingSend('pending', 'ghost', { touchKey: 'k', enqueuedAt: day(1) }),
    ).toBe(false);
    expect(await contacts.get('pending', 'ghost')).toBeUndefined();
  });

  it('keeps each tenant’s due index apart', async () => {
    await contacts.put('due-a', {
      contactId: 'c-1',
      email: 'a@client.example',
      nextDueAt: day(-1),
    });
    await contacts.put('due-b', {
      contactId: 'c-1',
      email: 'b@client.example',
      nextDueAt: day(-1),
    });

    await contacts.recordEngagement('due-a', 'c-1', { lastTouchAt: day(0), nextDueAt: day(21) });

    expect((await contacts.listDue('due-a', new Date(day(0)))).items).toEqual([]);
    expect((await contacts.listDue('due-b', new Date(day(0)))).items.map((c) => c.email)).toEqual([
      'b@client.example',
    ]);
  });
});
