import * as z from '../zod.js';

/**
 * A tenant's sending policy (DESIGN.md section 5; seeds: production-readiness-checklist "Sending
 * Policy", go-live-runbook Part 3): caps per window, the warm-up ladder, the sending window in the
 * tenant's time zone and the internal allow-list. Every field has a safe default, so a tenant
 * stored before these settings existed reads as the defaults.
 */

/** The caps one tenant's sends are held to. Counts are sends; the delay is in seconds. */
export interface SendCaps {
  readonly perHour: number;
  readonly perDay: number;
  readonly perMonth: number;
  readonly perDomainPerHour: number;
  readonly minDelaySeconds: number;
}

/**
 * Caps by tier. `pro` (the default tier) carries the seeds' approved sending policy: 20/hour,
 * 150/day, 3,000/month, 5 per recipient domain per hour, 30 s between sends.
 */
export const TIER_CAPS = {
  free: { perHour: 10, perDay: 50, perMonth: 1_000, perDomainPerHour: 3, minDelaySeconds: 60 },
  pro: { perHour: 20, perDay: 150, perMonth: 3_000, perDomainPerHour: 5, minDelaySeconds: 30 },
  enterprise: {
    perHour: 60,
    perDay: 500,
    perMonth: 10_000,
    perDomainPerHour: 10,
    minDelaySeconds: 10,
  },
} as const satisfies Record<'free' | 'pro' | 'enterprise', SendCaps>;

/** The strict caps of `limited_live` (and `internal_only`): at most 20/hour and 100/day. */
export const LIMITED_LIVE_CAPS = { perHour: 20, perDay: 100 } as const;

/** Daily caps of the warm-up ladder's five phases, 10/day rising to 150/day. */
export const WARM_UP_LADDER = [10, 25, 50, 100, 150] as const;

/**
 * Deliverability thresholds: over 5 % bounces or 0.1 % complaints pauses a tenant, but only once
 * the window holds at least `minSample` sends, so one early bounce cannot pause anyone. The same
 * rates hold the warm-up ladder on its phase (without a minimum sample: holding is cheap).
 */
export const DELIVERABILITY_THRESHOLDS = {
  bounceRate: 0.05,
  complaintRate: 0.001,
  minSample: 50,
  windowDays: 7,
} as const;

/** Provider circuit: this many failures within the window open it for `openMs`. */
export const CIRCUIT_POLICY = {
  failures: 5,
  windowMs: 15 * 60_000,
  openMs: 15 * 60_000,
} as const;

const positiveCount = z.number().check(z.int(), z.minimum(1), z.maximum(1_000_000));

/** Per-tenant overrides of the tier caps; absent fields keep the tier's value. */
export const capOverridesSchema = z.object({
  perHour: z.optional(positiveCount),
  perDay: z.optional(positiveCount),
  perMonth: z.optional(positiveCount),
  perDomainPerHour: z.optional(positiveCount),
  minDelaySeconds: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(3_600))),
});

/** When a tenant may send, in its own time zone. Business hours on weekdays by default. */
export const sendingWindowSchema = z
  .object({
    /** `false` sends around the clock (the caps still apply). */
    enabled: z._default(z.boolean(), true),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    weekdays: z._default(
      z.array(z.number().check(z.int(), z.minimum(1), z.maximum(7))).check(z.minLength(1)),
      [1, 2, 3, 4, 5],
    ),
    /** First local hour of the window (inclusive). */
    startHour: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(23)), 9),
    /** Local hour the window closes (exclusive). */
    endHour: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(24)), 17),
  })
  .check(
    z.refine((window) => window.startHour < window.endHour, {
      message: 'startHour must be before endHour',
      path: ['endHour'],
    }),
  );

/** The sending section of tenant settings. */
export const sendingSettingsSchema = z.object({
  caps: z.prefault(capOverridesSchema, {}),
  warmUp: z.prefault(
    z.object({
      enabled: z._default(z.boolean(), false),
      /** Days each ladder phase lasts before it may advance. */
      phaseDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(60)), 7),
    }),
    {},
  ),
  window: z.prefault(sendingWindowSchema, {}),
  /** Up to this many seconds of random delay are added to every deferral, spreading sends. */
  jitterSeconds: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(900)), 30),
  /** Addresses `internal_only` may send to, besides the tenant's `internalDomains`. */
  internalAddresses: z._default(z.array(z.email().check(z.toLowerCase())), []),
  /** The From address of this tenant's mail; the deployment's default when absent. */
  fromAddress: z.optional(z.email()),
});

/** A tenant's sending settings with defaults applied. */
export type SendingSettings = z.output<typeof sendingSettingsSchema>;

/** A sending window with defaults applied. */
export type SendingWindow = z.output<typeof sendingWindowSchema>;

/**
 * Reads the sending section of stored tenant settings, applying defaults; a tenant stored before
 * the section existed (or with an invalid one) gets the defaults, never an error at send time.
 */
export function resolveSendingSettings(stored: unknown): SendingSettings {
  const parsed = sendingSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : sendingSettingsSchema.parse({});
}
