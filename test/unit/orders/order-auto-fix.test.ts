import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autoFixOrder, processOrder } from '../../../shared/domain/orders/order-auto-fix.js';
import { PAYMENT_METHODS, type Order } from '../../../shared/domain/orders/order-schema.js';
import type { CreditAccount } from '../../../shared/domain/orders/order-validation.js';
import { ACCOUNT, CATALOG, order } from '../../helpers/order-fixtures.js';

describe('Domain: autoFixOrder', () => {
  it.each([
    { case: 'a total that does not add up', given: order({ total: 480 }), from: 480, to: 485 },
    { case: 'a missing total', given: order({ total: undefined }), from: null, to: 485 },
    {
      case: 'a total below the parts without extras',
      given: order({ extras: undefined, total: 470 }),
      from: 470,
      to: 475,
    },
    {
      case: 'float-unfriendly parts, summed in cents',
      given: order({
        fee: 150,
        techFee: 0.1,
        extras: [{ code: 'X', amount: 0.2 }],
        total: 150,
        productCode: 'DESK-REVIEW',
      }),
      from: 150,
      to: 150.3,
    },
  ])('sets the total to fee + tech fee + extras for $case', ({ given, from, to }) => {
    const result = autoFixOrder(given, { catalog: CATALOG });

    expect(result.fixes).toEqual([
      { field: 'total', from, to, rule: 'total_equals_fee_plus_tech_fee_plus_extras' },
    ]);
    expect(result.order).toEqual({ ...given, total: to });
  });

  it.each([
    { case: 'a correct order', given: order() },
    { case: 'a negative tech fee', given: order({ techFee: -5, total: 400 }) },
    { case: 'a missing fee', given: order({ fee: undefined, total: 35 }) },
    { case: 'a zero fee', given: order({ fee: 0, total: 1 }) },
    { case: 'a fee off the catalog', given: order({ fee: 400, total: 1 }) },
    { case: 'an unknown product', given: order({ productCode: 'NOPE', total: 1 }) },
    { case: 'a total below the fee as well as wrong', given: order({ total: 100 }) },
    {
      case: 'a total off by less than the tolerance',
      given: order({ total: 485.01 }),
      tolerance: 0.01,
    },
  ])('makes no fix for $case', ({ given, tolerance }) => {
    const result = autoFixOrder(given, {
      catalog: CATALOG,
      ...(tolerance !== undefined ? { tolerance } : {}),
    });

    expect(result.fixes).toEqual([]);
    expect(result.order).toBe(given);
  });

  it('does not change the order it is given', () => {
    const given = order({ total: 1_000 });
    const snapshot = structuredClone(given);

    autoFixOrder(given, { catalog: CATALOG });

    expect(given).toEqual(snapshot);
  });
});

describe('Domain: processOrder', () => {
  it('fixes the total, then validates the fixed order as ready', () => {
    const result = processOrder(order({ total: 480 }), { catalog: CATALOG, account: ACCOUNT });

    expect(result).toMatchObject({ status: 'ready', exceptions: [], order: { total: 485 } });
    expect(result.fixes).toHaveLength(1);
  });

  it('leaves a negative tech fee as an exception', () => {
    const result = processOrder(order({ techFee: -5, total: 455 }), {
      catalog: CATALOG,
      account: ACCOUNT,
    });

    expect(result.fixes).toEqual([]);
    expect(result.status).toBe('exception');
    expect(result.exceptions.map((exception) => exception.code)).toContain(
      'PRICE_TECH_FEE_NEGATIVE',
    );
  });

  it('checks credit against the fixed total', () => {
    const tight: CreditAccount = { ...ACCOUNT, creditLimit: 1_480, outstandingBalance: 1_000 };

    const result = processOrder(order({ total: 470 }), { catalog: CATALOG, account: tight });

    expect(result.order.total).toBe(485);
    expect(result.exceptions.map((exception) => exception.code)).toEqual(['CREDIT_LIMIT_EXCEEDED']);
  });

  it('is idempotent: processing its own output makes no fix and gives the same result', () => {
    const cents = (max: number) => fc.integer({ min: -5_000, max }).map((value) => value / 100);
    const orderArb: fc.Arbitrary<Order> = fc.record(
      {
        orderId: fc.constant('o-1'),
        accountId: fc.constantFrom('acct-1', 'acct-2'),
        paymentMethod: fc.constantFrom(...PAYMENT_METHODS),
        fee: fc.oneof(fc.constantFrom(450, 150), cents(100_000)),
        techFee: cents(10_000),
        extras: fc.array(
          fc.record({
            code: fc.constantFrom('RUSH', 'TRIP'),
            amount: fc.integer({ min: 0, max: 10_000 }).map((v) => v / 100),
          }),
          { maxLength: 3 },
        ),
        total: cents(200_000),
        productCode: fc.constantFrom('APPR-1004', 'DESK-REVIEW', 'NOPE'),
        propertyAddress: fc.constantFrom('12 Elm St', ' '),
        borrower: fc.record({
          name: fc.constantFrom('Pat', ''),
          phone: fc.constantFrom('555-010-2000', '1'),
        }),
        propertyContact: fc.record({
          name: fc.constant('Sam'),
          email: fc.constantFrom('sam@x.example', 'nope'),
        }),
        status: fc.constant('new' as const),
        createdAt: fc.constant('2026-03-01T09:00:00.000Z'),
      },
      {
        requiredKeys: [
          'orderId',
          'accountId',
          'paymentMethod',
          'productCode',
          'status',
          'createdAt',
        ],
      },
    );
    const accountArb: fc.Arbitrary<CreditAccount | undefined> = fc.option(
      fc.record({
        accountId: fc.constant('acct-1'),
        status: fc.constantFrom('active' as const, 'inactive' as const, 'prospect' as const),
        creditLimit: fc.integer({ min: 0, max: 500_000 }).map((v) => v / 100),
        outstandingBalance: fc.integer({ min: 0, max: 300_000 }).map((v) => v / 100),
      }),
      { nil: undefined },
    );

    fc.assert(
      fc.property(
        orderArb,
        accountArb,
        fc.constantFrom(0, 0.01, 0.05),
        (given, account, tolerance) => {
          const options = { catalog: CATALOG, account, tolerance };

          const first = processOrder(given, options);
          const second = processOrder(first.order, options);

          expect(second.fixes).toEqual([]);
          expect(second.order).toEqual(first.order);
          expect(second.status).toBe(first.status);
          expect(second.exceptions).toEqual(first.exceptions);
          // A fix touches only the total and never leaves it mismatched.
          if (first.fixes.length > 0) {
            expect({ ...first.order, total: given.total }).toEqual(given);
            expect(first.exceptions.map((exception) => exception.code)).not.toContain(
              'PRICE_TOTAL_MISMATCH',
            );
          }
        },
      ),
    );
  });
});
