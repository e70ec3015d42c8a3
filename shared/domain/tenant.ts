import * as z from '../zod.js';
import { ACTION_TYPES } from './actions.js';
import { SEND_MODES } from './send-mode.js';
import { sendingSettingsSchema } from './sending-settings.js';
import { rolloutSettingsSchema } from './rollout/phase.js';

export const TENANT_TIERS = ['free', 'pro', 'enterprise'] as const;
export type TenantTier = (typeof TENANT_TIERS)[number];

/** Settings a tenant is created or updated with; defaults are the seeds' numbers. */
export const tenantSettingsInputSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  agentEnabled: z._default(z.boolean(), false),
  tier: z._default(z.enum(TENANT_TIERS), 'pro'),
  timeZone: z._default(
    z
      .string()
      .check(
        z.refine(isKnownTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin' }),
      ),
    'UTC',
  ),
  sendMode: z.optional(z.enum(SEND_MODES)),
  engagementWindowDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(365)), 21),
  /** Largest accepted difference, in currency units, between an order's prices and the catalog. */
  orderPriceTolerance: z._default(z.number().check(z.minimum(0), z.maximum(1_000)), 0),
  /** Follow-ups the planner proposes per cycle (sending caps still apply downstream). */
  followUpsPerCycle: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(200)), 10),
  internalDomains: z._default(z.array(z.string().check(z.toLowerCase())), []),
  /** Outreach never goes to these (competitors, existing customers, excluded segments). */
  doNotContact: z.prefault(
    z.object({
      competitorDomains: z._default(z.array(z.string().check(z.toLowerCase())), []),
      customerEmails: z._default(z.array(z.string().check(z.toLowerCase())), []),
      customerAccountIds: z._default(z.array(z.string()), []),
      customerDomains: z._default(z.array(z.string().check(z.toLowerCase())), []),
      excludedIndustries: z._default(z.array(z.string().check(z.toLowerCase())), []),
      excludedRegions: z._default(z.array(z.string().check(z.toLowerCase())), []),
    }),
    {},
  ),
  goals: z.prefault(
    z.object({
      /** Open deals plus open bids below this count means the pipeline is thin. */
      pipelineTarget: z._default(z.number().check(z.int(), z.minimum(0)), 5),
      /** Set by the operator (later by insights) when the period's targets are behind pace. */
      behindPace: z._default(z.boolean(), false),
    }),
    {},
  ),
  /** Daily drafting budget (metered model tokens, list-price cost); reached → template drafts. */
  drafting: z.prefault(
    z.object({
      dailyTokenQuota: z._default(
        z.number().check(z.int(), z.minimum(0), z.maximum(100_000_000)),
        200_000,
      ),
      dailyCostQuotaUsd: z._default(z.number().check(z.minimum(0), z.maximum(10_000)), 2),
    }),
    {},
  ),
  /** Sending policy: cap overrides, warm-up, sending window, internal addresses (send gate). */
  sending: z.prefault(sendingSettingsSchema, {}),
  /**
   * Rollout phase and approval timing (shared/domain/rollout/phase.ts). Absent means
   * `autonomous` (today's behaviour); new production tenants are onboarded with `shadow`.
   */
  rollout: z.optional(rolloutSettingsSchema),
  /**
   * The organisation the tenant belongs to (shared/domain/org-concurrency.ts): at most the stage's
   * `ORG_CYCLE_CONCURRENCY` cycles of one organisation run at once. Absent: the tenant itself.
   */
  organisation: z.optional(
    z
      .string()
      .check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, ".", "_" or "-"')),
  ),
  /** Feature flags per action type; a type set to false is denied by policy (`action_disabled`). */
  features: z._default(z.partialRecord(z.enum(ACTION_TYPES), z.boolean()), {}),
});

export type TenantSettingsInput = z.input<typeof tenantSettingsInputSchema>;

/** A tenant's stored settings. */
export type TenantSettings = z.output<typeof tenantSettingsInputSchema> & {
  readonly tenantId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
};

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
