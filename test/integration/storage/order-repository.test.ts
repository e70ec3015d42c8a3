import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import type { OrderInput } from '../../../shared/domain/orders/order-schema.js';
import { OrderRepository } from '../../../shared/storage/order-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

function orderInput(orderId: string, overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    orderId,
    accountId: 'acct-1',
    paymentMethod: 'card',
    fee: 450,
    techFee: 25,
    total: 475,
    productCode: 'FULL-APPRAISAL',
    propertyAddress: '1 Main St',
    createdAt: '2026-01-05T08:00:00.000Z',
    ...overrides,
  };
}

describe('Storage: OrderRepository', () => {
  let table: TestTable;
  let orders: OrderRepository;

  beforeAll(async () => {
    table = await createTestTable();
    orders = new OrderRepository({
      doc: table.doc,
      tableName: table.tableName,
      clock: table.clock,
    });
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('stores a valid order as new, normalising its creation time', async () => {
    const stored = await orders.put(
      'put',
      orderInput('ord-1', { createdAt: '2026-01-05T10:00:00+02:00' }),
    );

    expect(stored.status).toBe('new');
    expect(stored.createdAt).toBe('2026-01-05T08:00:00.000Z');
    expect(await orders.get('put', 'ord-1')).toEqual(stored);
  });

  it.each([
    {
      case: 'an unknown payment method',
      input: { ...orderInput('ord-x'), paymentMethod: 'cheque' },
      field: 'order.paymentMethod',
    },
    {
      case: 'a missing account',
      input: { ...orderInput('ord-x'), accountId: '' },
      field: 'order.accountId',
    },
    {
      case: 'a fee with three decimals',
      input: { ...orderInput('ord-x'), fee: 1.234 },
      field: 'order.fee',
    },
    {
      case: 'a negative extra',
      input: { ...orderInput('ord-x'), extras: [{ code: 'RUSH', amount: -5 }] },
      field: 'order.extras.0.amount',
    },
    {
      case: 'a creation time that is not an instant',
      input: { ...orderInput('ord-x'), createdAt: 'yesterday' },
      field: 'order.createdAt',
    },
  ])('refuses $case, naming the field, and stores nothing', async ({ input, field }) => {
    const attempt = orders.put('invalid', input);

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ field });
    expect(await orders.get('invalid', 'ord-x')).toBeUndefined();
  });

  it('lists the ids of orders in one status, in id order', async () => {
    // Prepare
    await orders.put('by-status', orderInput('ord-3'));
    await orders.put('by-status', orderInput('ord-1'));
    await orders.put('by-status', orderInput('ord-2', { status: 'completed' }));
    await orders.put('by-status', orderInput('ord-4', { status: 'exception' }));
    await orders.put('other-tenant', orderInput('ord-9'));

    // Act
    const fresh = await orders.listIdsByStatus('by-status', 'new');

    // Assess
    expect(fresh).toEqual(['ord-1', 'ord-3']);
    expect(await orders.listIdsByStatus('by-status', 'completed')).toEqual(['ord-2']);
    expect(await orders.listIdsByStatus('by-status', 'cancelled')).toEqual([]);
  });

  it('records a validation result: status, exceptions, fixes, fixed total and time', async () => {
    // Prepare
    const order = await orders.put('validate', orderInput('ord-1', { total: 400 }));
    table.clock.advance({ minutes: 3 });
    const fixed = { ...order, total: 475 };

    // Act
    await orders.saveValidation('validate', fixed, {
      status: 'exception',
      exceptions: [
        {
          code: 'MISSING_BORROWER_CONTACT',
          field: 'borrower',
          message: 'borrower contact missing',
        },
      ],
      fixes: [
        { field: 'total', from: 400, to: 475, rule: 'total_equals_fee_plus_tech_fee_plus_extras' },
      ],
    });

    // Assess
    expect(await orders.get('validate', 'ord-1')).toEqual({
      ...order,
      status: 'exception',
      total: 475,
      exceptions: [
        {
          code: 'MISSING_BORROWER_CONTACT',
          field: 'borrower',
          message: 'borrower contact missing',
        },
      ],
      fixes: [
        { field: 'total', from: 400, to: 475, rule: 'total_equals_fee_plus_tech_fee_plus_extras' },
      ],
      validatedAt: table.clock.now().toISOString(),
    });
    expect(await orders.listIdsByStatus('validate', 'exception')).toEqual(['ord-1']);
  });

  it('marks a clean order ready with no exceptions or fixes', async () => {
    const order = await orders.put('ready', orderInput('ord-1'));

    await orders.saveValidation('ready', order, { status: 'ready', exceptions: [], fixes: [] });

    expect(await orders.get('ready', 'ord-1')).toMatchObject({
      status: 'ready',
      total: 475,
      exceptions: [],
      fixes: [],
    });
  });

  it('does not create an order when saving a validation for one that does not exist', async () => {
    const ghost = { ...orderInput('ord-ghost'), status: 'new' as const };

    await expect(
      orders.saveValidation('ghost', ghost, { status: 'ready', exceptions: [], fixes: [] }),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(await orders.get('ghost', 'ord-ghost')).toBeUndefined();
  });

  it('returns an empty catalog for a tenant that has none', async () => {
    expect(await orders.getCatalog('no-catalog')).toEqual([]);
  });

  it('replaces the catalog and reads it back', async () => {
    await orders.putCatalog('catalog', [{ productCode: 'OLD', fee: 100 }]);
    const entries = [
      { productCode: 'FULL-APPRAISAL', fee: 450, name: 'Full appraisal' },
      { productCode: 'DESK-REVIEW', fee: 150, requiresPropertyContact: false },
    ];

    const stored = await orders.putCatalog('catalog', entries);

    expect(stored).toEqual(entries);
    expect(await orders.getCatalog('catalog')).toEqual(entries);
  });

  it.each([
    {
      case: 'a duplicate product code (compared trimmed and case-insensitively)',
      entries: [
        { productCode: 'FULL-APPRAISAL', fee: 450 },
        { productCode: 'DESK', fee: 150 },
        { productCode: ' full-appraisal ', fee: 500 },
      ],
      field: 'catalog.2.productCode',
      message: 'duplicate product code  full-appraisal ',
    },
    {
      case: 'a non-positive fee',
      entries: [{ productCode: 'FREE', fee: 0 }],
      field: 'catalog.0.fee',
      message: 'a catalog fee must be positive',
    },
    {
      case: 'something that is not a list',
      entries: { productCode: 'X', fee: 1 },
      field: 'catalog.',
      message: undefined,
    },
  ])('refuses a catalog with $case, naming the path, and keeps the old one', async (row) => {
    await orders.putCatalog('bad-catalog', [{ productCode: 'KEEP', fee: 10 }]);

    const attempt = orders.putCatalog('bad-catalog', row.entries);

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ field: row.field });
    if (row.message) await expect(attempt).rejects.toThrow(row.message);
    expect(await orders.getCatalog('bad-catalog')).toEqual([{ productCode: 'KEEP', fee: 10 }]);
  });
});
