import { hourKey as toHourKey } from '../clock.js';
import { ValidationError } from '../errors.js';
import type { CycleRuntime } from './runtime.js';

/** Tenants per fan-out page: small enough for a Step Functions payload (256 KB) with room to spare. */
export const FAN_OUT_PAGE_SIZE = 500;

/** Input of one fan-out page. */
export interface FanOutPageInput {
  /** The schedule's intended time (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`). */
  readonly scheduledTime?: string;
  /** The hour being fanned out; fixed on the first page so later pages cannot drift into the next hour. */
  readonly hourKey?: string;
  readonly cursor?: string;
  readonly pageNumber?: number;
}

/** One page of due enabled tenants to start cycles for. */
export interface FanOutPage {
  readonly hourKey: string;
  readonly scheduledTime: string;
  readonly tenantIds: string[];
  readonly pageNumber: number;
  readonly nextCursor?: string;
}

/**
 * Lists one page of the enabled tenants due at the scheduled time (dirty, or whose wake time has
 * come: DESIGN §9), so an idle tenant-hour starts no execution. The hour comes from the schedule's
 * intended time (not the invocation time, which a flexible window may delay), falling back to now.
 */
export async function listTenantsPage(
  runtime: Pick<CycleRuntime, 'clock' | 'repos'>,
  input: FanOutPageInput,
): Promise<FanOutPage> {
  const scheduled = input.scheduledTime ? new Date(input.scheduledTime) : runtime.clock.now();
  if (Number.isNaN(scheduled.getTime())) {
    throw new ValidationError(
      'scheduledTime',
      `expected an ISO-8601 instant, got ${JSON.stringify(input.scheduledTime)}`,
    );
  }
  if (input.hourKey !== undefined && !/^\d{10}$/.test(input.hourKey)) {
    throw new ValidationError('hourKey', 'expected yyyyMMddHH');
  }
  const page = await runtime.repos.wake.listDue(scheduled, {
    limit: FAN_OUT_PAGE_SIZE,
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  return {
    hourKey: input.hourKey ?? toHourKey(scheduled),
    scheduledTime: scheduled.toISOString(),
    tenantIds: page.items,
    pageNumber: input.pageNumber ?? 1,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** The cycle execution name of a tenant-hour: `<tenantId>-<yyyyMMddHH>` (unique per tenant-hour). */
export function cycleExecutionName(tenantId: string, hourKey: string): string {
  return `${tenantId}-${hourKey}`;
}

/** Parses a fan-out page input, naming the first bad field. */
export function parseFanOutPageInput(event: unknown): FanOutPageInput {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new ValidationError('input', 'expected an object');
  }
  const input = event as Record<string, unknown>;
  for (const field of ['scheduledTime', 'hourKey', 'cursor'] as const) {
    if (input[field] !== undefined && typeof input[field] !== 'string')
      throw new ValidationError(field, 'expected a string');
  }
  if (
    input['pageNumber'] !== undefined &&
    (!Number.isInteger(input['pageNumber']) || (input['pageNumber'] as number) < 1)
  ) {
    throw new ValidationError('pageNumber', 'expected a positive whole number');
  }
  return input as FanOutPageInput;
}
