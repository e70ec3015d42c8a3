import { describe, expect, it } from 'vitest';
import { formatCents, fromCents, toCents } from '../../../shared/domain/orders/money.js';
import {
  catalogSchema,
  orderSchema,
  type Order,
} from '../../../shared/domain/orders/order-schema.js';
import {
  ORDER_EXCEPTION_CODES,
  validateOrder,
  type CreditAccount,
  type OrderExceptionCode,
} from '../../../shared/domain/orders/order-validation.js';
import { ACCOUNT, CATALOG, order } from '../../helpers/order-fixtures.js';

/** The row's account when it names one (even `undefined`), else the default active account. */
function accountOf(row: {
  readonly account?: CreditAccount | undefined;
}): CreditAccount | undefined {
  return 'account' in row ? row.account : ACCOUNT;
}

function codes(result: ReturnType<typeof validateOrder>): OrderExceptionCode[] {
  return result.exceptions.map((exception) => exception.code);
}

interface FailCase {
  readonly case: string;
  readonly order: Order;
  readonly account?: CreditAccount | undefined;
  readonly code: OrderExceptionCode;
  readonly field: string;
}

interface PassCase {
  readonly case: string;
  readonly order: Order;
  readonly account?: CreditAccount | undefined;
  readonly absent: OrderExceptionCode;
}

describe('Domain: validateOrder', () => {
  it('marks a complete, correctly priced, credit-approved order ready', () => {
    const result = validateOrder(order(), { catalog: CATALOG, account: ACCOUNT });

    expect(result).toEqual({ status: 'ready', exceptions: [] });
  });

  describe('fail side of every code', () => {
    it.each<FailCase>([
      {
        case: 'a zero fee',
        order: order({ fee: 0, total: 35 }),
        code: 'PRICE_FEE_NOT_POSITIVE',
        field: 'fee',
      },
      {
        case: 'a missing fee',
        order: order({ fee: undefined }),
        code: 'PRICE_FEE_NOT_POSITIVE',
        field: 'fee',
      },
      {
        case: 'a negative tech fee',
        order: order({ techFee: -5, total: 455 }),
        code: 'PRICE_TECH_FEE_NEGATIVE',
        field: 'techFee',
      },
      {
        case: 'a total below the fee',
        order: order({ total: 400 }),
        code: 'PRICE_TOTAL_LT_FEE',
        field: 'total',
      },
      {
        case: 'a total that does not add up',
        order: order({ total: 480 }),
        code: 'PRICE_TOTAL_MISMATCH',
        field: 'total',
      },
      {
        case: 'a missing total',
        order: order({ total: undefined }),
        code: 'PRICE_TOTAL_MISMATCH',
        field: 'total',
      },
      {
        case: 'a fee off the catalog',
        order: order({ fee: 400, total: 435 }),
        code: 'PRICE_FEE_OFF_CATALOG',
        field: 'fee',
      },
      {
        case: 'an unknown product',
        order: order({ productCode: 'NOPE' }),
        code: 'PRICE_UNKNOWN_PRODUCT',
        field: 'productCode',
      },
      {
        case: 'a bill order without its account',
        order: order(),
        account: undefined,
        code: 'CREDIT_NO_ACCOUNT',
        field: 'accountId',
      },
      {
        case: "an invoice order given another client's account",
        order: order({ paymentMethod: 'invoice' }),
        account: { ...ACCOUNT, accountId: 'acct-2' },
        code: 'CREDIT_NO_ACCOUNT',
        field: 'accountId',
      },
      {
        case: 'an inactive client',
        order: order(),
        account: { ...ACCOUNT, status: 'inactive' },
        code: 'CREDIT_CLIENT_INACTIVE',
        field: 'accountId',
      },
      {
        case: 'a prospect that is not yet active',
        order: order(),
        account: { ...ACCOUNT, status: 'prospect' },
        code: 'CREDIT_CLIENT_INACTIVE',
        field: 'accountId',
      },
      {
        case: 'a total above the available credit',
        order: order(),
        account: { ...ACCOUNT, creditLimit: 1_400, outstandingBalance: 1_000 },
        code: 'CREDIT_LIMIT_EXCEEDED',
        field: 'total',
      },
      {
        case: 'an account with no credit line',
        order: order(),
        account: { accountId: 'acct-1', status: 'active' },
        code: 'CREDIT_LIMIT_EXCEEDED',
        field: 'total',
      },
      {
        case: 'a blank property address',
        order: order({ propertyAddress: '  ' }),
        code: 'MISSING_PROPERTY_ADDRESS',
        field: 'propertyAddress',
      },
      {
        case: 'a missing borrower',
        order: order({ borrower: undefined }),
        code: 'MISSING_BORROWER_CONTACT',
        field: 'borrower',
      },
      {
        case: 'a borrower without email or phone',
        order: order({ borrower: { name: 'Pat Lee', email: 'not-an-email', phone: '12' } }),
        code: 'MISSING_BORROWER_CONTACT',
        field: 'borrower',
      },
      {
        case: 'a missing property contact',
        order: order({ propertyContact: undefined }),
        code: 'MISSING_PROPERTY_CONTACT',
        field: 'propertyContact',
      },
      {
        case: 'a property contact without a name',
        order: order({ propertyContact: { name: ' ', phone: '555-010-2000' } }),
        code: 'MISSING_PROPERTY_CONTACT',
        field: 'propertyContact',
      },
    ])('reports $case', (row) => {
      const { order: given, code, field } = row;

      const result = validateOrder(given, { catalog: CATALOG, account: accountOf(row) });

      expect(result.status).toBe('exception');
      expect(result.exceptions).toContainEqual(expect.objectContaining({ code, field }));
    });
  });

  describe('pass side of every code', () => {
    it.each<PassCase>([
      {
        case: 'a one-cent fee',
        order: order({ fee: 0.01, total: 35.01 }),
        absent: 'PRICE_FEE_NOT_POSITIVE',
      },
      {
        case: 'a zero tech fee',
        order: order({ techFee: 0, total: 460 }),
        absent: 'PRICE_TECH_FEE_NEGATIVE',
      },
      {
        case: 'a missing tech fee, counted as 0',
        order: order({ techFee: undefined, total: 460 }),
        absent: 'PRICE_TECH_FEE_NEGATIVE',
      },
      {
        case: 'a total equal to the fee',
        order: order({ techFee: 0, extras: [], total: 450 }),
        absent: 'PRICE_TOTAL_LT_FEE',
      },
      {
        case: 'cents that float arithmetic would drift on',
        order: order({
          fee: 0.1,
          techFee: 0.2,
          extras: [],
          total: 0.3,
          productCode: 'DESK-REVIEW',
        }),
        absent: 'PRICE_TOTAL_MISMATCH',
      },
      { case: 'a fee equal to the catalog fee', order: order(), absent: 'PRICE_FEE_OFF_CATALOG' },
      {
        case: 'a product code in other casing',
        order: order({ productCode: ' appr-1004 ' }),
        absent: 'PRICE_UNKNOWN_PRODUCT',
      },
      {
        case: 'a card order without an account',
        order: order({ paymentMethod: 'card' }),
        account: undefined,
        absent: 'CREDIT_NO_ACCOUNT',
      },
      {
        case: 'a prepaid order from an inactive client',
        order: order({ paymentMethod: 'prepaid' }),
        account: { ...ACCOUNT, status: 'inactive' },
        absent: 'CREDIT_CLIENT_INACTIVE',
      },
      {
        case: 'a total exactly equal to the available credit',
        order: order(),
        account: { ...ACCOUNT, creditLimit: 1_485, outstandingBalance: 1_000 },
        absent: 'CREDIT_LIMIT_EXCEEDED',
      },
      {
        case: 'available credit with float-unfriendly amounts',
        order: order({
          fee: 450,
          techFee: 0.1,
          extras: [{ code: 'X', amount: 0.2 }],
          total: 450.3,
        }),
        account: { ...ACCOUNT, creditLimit: 1_450.3, outstandingBalance: 1_000 },
        absent: 'CREDIT_LIMIT_EXCEEDED',
      },
      { case: 'a property address', order: order(), absent: 'MISSING_PROPERTY_ADDRESS' },
      {
        case: 'a borrower reachable by phone only',
        order: order({ borrower: { name: 'Pat', phone: '555 010 3000' } }),
        absent: 'MISSING_BORROWER_CONTACT',
      },
      {
        case: 'a property contact reachable by email only',
        order: order({ propertyContact: { name: 'Sam', email: 'sam@agency.example' } }),
        absent: 'MISSING_PROPERTY_CONTACT',
      },
      {
        case: 'a product that needs no inspection contact',
        order: order({
          productCode: 'DESK-REVIEW',
          fee: 150,
          total: 185,
          propertyContact: undefined,
        }),
        absent: 'MISSING_PROPERTY_CONTACT',
      },
    ])('does not report $absent for $case', (row) => {
      const { order: given, absent } = row;

      const result = validateOrder(given, { catalog: CATALOG, account: accountOf(row) });

      expect(codes(result)).not.toContain(absent);
    });
  });

  it.each([
    { case: 'a total within the tolerance', total: 485.01, tolerance: 0.01, mismatch: false },
    { case: 'a total outside the tolerance', total: 485.02, tolerance: 0.01, mismatch: true },
    { case: 'any cent off with no tolerance', total: 485.01, tolerance: undefined, mismatch: true },
    { case: 'a negative tolerance, read as none', total: 485.01, tolerance: -1, mismatch: true },
  ])('applies the tolerance to $case', ({ total, tolerance, mismatch }) => {
    const result = validateOrder(order({ total }), {
      catalog: CATALOG,
      account: ACCOUNT,
      tolerance,
    });

    expect(codes(result).includes('PRICE_TOTAL_MISMATCH')).toBe(mismatch);
  });

  it('reports every problem at once, in code order', () => {
    const broken = order({
      fee: -1,
      techFee: -2,
      total: undefined,
      productCode: 'NOPE',
      propertyAddress: undefined,
    });

    const result = validateOrder(broken, {
      catalog: CATALOG,
      account: { ...ACCOUNT, status: 'inactive' },
    });

    expect(codes(result)).toEqual([
      'PRICE_FEE_NOT_POSITIVE',
      'PRICE_TECH_FEE_NEGATIVE',
      'PRICE_TOTAL_MISMATCH',
      'PRICE_UNKNOWN_PRODUCT',
      'CREDIT_CLIENT_INACTIVE',
      'MISSING_PROPERTY_ADDRESS',
    ]);
    expect(ORDER_EXCEPTION_CODES).toHaveLength(12);
  });

  it('names amounts with two decimals in messages', () => {
    const result = validateOrder(order({ total: 480 }), { catalog: CATALOG, account: ACCOUNT });

    expect(result.exceptions[0]?.message).toBe(
      'total 480.00 differs from fee + tech fee + extras = 485.00',
    );
  });

  it('does not change the order it validates', () => {
    const given = order({ total: 1 });
    const snapshot = structuredClone(given);

    validateOrder(given, { catalog: CATALOG, account: ACCOUNT });

    expect(given).toEqual(snapshot);
  });
});

describe('Domain: orderSchema', () => {
  it('accepts an order with pricing problems, so they become exceptions rather than parse errors', () => {
    const parsed = orderSchema.safeParse({
      orderId: 'o-9',
      accountId: 'acct-1',
      paymentMethod: 'invoice',
      techFee: -5,
      productCode: 'APPR-1004',
      createdAt: '2026-03-01T10:00:00+01:00',
    });

    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({ status: 'new', createdAt: '2026-03-01T09:00:00.000Z' });
  });

  it.each([
    { case: 'an unknown payment method', patch: { paymentMethod: 'cash' }, path: 'paymentMethod' },
    { case: 'a fee with three decimals', patch: { fee: 450.005 }, path: 'fee' },
    {
      case: 'a negative extra',
      patch: { extras: [{ code: 'X', amount: -1 }] },
      path: 'extras.0.amount',
    },
    {
      case: 'a creation time that is not ISO-8601',
      patch: { createdAt: 'yesterday' },
      path: 'createdAt',
    },
  ])('rejects $case naming the field', ({ patch, path }) => {
    const parsed = orderSchema.safeParse({ ...order(), ...patch });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('rejects a catalog that lists a product twice', () => {
    const parsed = catalogSchema.safeParse([
      { productCode: 'A', fee: 1 },
      { productCode: ' a ', fee: 2 },
    ]);

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([1, 'productCode']);
  });
});

describe('Domain: money', () => {
  it.each([
    { case: 'a sum float arithmetic drifts on', amount: 0.1 + 0.2, cents: 30 },
    { case: 'a half cent, rounded away from zero', amount: 0.005, cents: 1 },
    { case: 'a negative amount', amount: -12.5, cents: -1250 },
    { case: 'a large amount', amount: 123_456_789.12, cents: 12_345_678_912 },
  ])('converts $case to integer cents', ({ amount, cents }) => {
    expect(toCents(amount)).toBe(cents);
  });

  it('round-trips two-decimal amounts exactly', () => {
    expect(fromCents(toCents(0.1) + toCents(0.2))).toBe(0.3);
    expect(formatCents(-1205)).toBe('-12.05');
  });
});
