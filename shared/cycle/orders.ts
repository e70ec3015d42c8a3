import { processOrder } from '../domain/orders/order-auto-fix.js';
import type { TenantSettings } from '../domain/tenant.js';
import { ValidationError } from '../errors.js';
import type { CycleRuntime } from './runtime.js';

/**
 * Validates one stored order against the tenant's catalog and the account's credit, applying only
 * the safe arithmetic fix, and stores the result. Running it again on the stored result changes
 * nothing (the order engine is idempotent).
 */
export async function processStoredOrder(
  runtime: CycleRuntime,
  settings: TenantSettings,
  orderId: string,
): Promise<{
  orderId: string;
  status: 'ready' | 'exception';
  exceptionCodes: string[];
  fixes: number;
}> {
  const { repos } = runtime;
  const order = await repos.orders.get(settings.tenantId, orderId);
  if (!order) throw new ValidationError('orderId', `order ${orderId} does not exist`);
  const [catalog, account] = await Promise.all([
    repos.orders.getCatalog(settings.tenantId),
    repos.accounts.get(settings.tenantId, order.accountId),
  ]);
  const processed = processOrder(order, {
    catalog,
    ...(account ? { account } : {}),
    tolerance: settings.orderPriceTolerance,
  });
  await repos.orders.saveValidation(settings.tenantId, processed.order, processed);
  runtime.metric('OrdersProcessed');
  if (processed.status === 'exception') runtime.metric('OrderExceptions');
  return {
    orderId,
    status: processed.status,
    exceptionCodes: processed.exceptions.map((exception) => exception.code),
    fixes: processed.fixes.length,
  };
}
