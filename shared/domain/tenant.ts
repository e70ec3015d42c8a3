import * as z from 'zod';
import { ACTION_TYPES } from './actions.js';
import { SEND_MODES } from './send-mode.js';
import { sendingSettingsSchema } from './sending-settings.js';
import { rolloutSettingsSchema } from './rollout/phase.js';

export const TENANT_TIERS = ['free', 'pro', 'enterprise'] as const;
export type TenantTier = (typeof TENANT_TIERS)[number];

/** Settings a tenant is created or updated with; defaults are the seeds' numbers. */
export const tenantSettingsInputSchema = z.object({
  name: z.string().min(1).max(200),
  agentEnabled: z.boolean().default(false),
  tier: z.enum(TENANT_TIERS).default('pro'),
  timeZone: z
    .string()
    .refine(isKnownTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin' })
    .default('UTC'),
  sendMode: z.enum(SEND_MODES).optional(),
  engagementWindowDays: z.number().int().min(1).max(365).default(21),
  /** Largest accepted difference, in currency units, between an order's prices and the catalog. */
  orderPriceTolerance: z.number().min(0).max(1_000).default(0),
  /** Follow-ups the planner proposes per cycle (sending caps still apply downstream). */
  followUpsPerCycle: z.number().int().min(0).max(200).default(10),
  internalDomains: z.array(z.string().toLowerCase()).default([]),
  /** Outreach never goes to these (competitors, existing customers, excluded segments). */
  doNotContact: z
    .object({
      competitorDomains: z.array(z.string().toLowerCase()).default([]),
      customerEmails: z.array(z.string().toLowerCase()).default([]),
      customerAccountIds: z.array(z.string()).default([]),
      customerDomains: z.array(z.string().toLowerCase()).default([]),
      excludedIndustries: z.array(z.string().toLowerCase()).default([]),
      excludedRegions: z.array(z.string().toLowerCase()).default([]),
    })
    .prefault({}),
  goals: z
    .object({
      /** Open deals plus open bids below this count means the pipeline is thin. */
      pipelineTarget: z.number().int().min(0).default(5),
      /** Set by the operator (later by insights) when the period's targets are behind pace. */
      behindPace: z.boolean().default(false),
    })
    .prefault({}),
  /** Daily drafting budget (metered model tokens, list-price cost); reached → template drafts. */
  drafting: z
    .object({
      dailyTokenQuota: z.number().int().min(0).max(100_000_000).default(200_000),
      dailyCostQuotaUsd: z.number().min(0).max(10_000).default(2),
    })
    .prefault({}),
  /** Sending policy: cap overrides, warm-up, sending window, internal addresses (send gate). */
  sending: sendingSettingsSchema.prefault({}),
  /**
   * Rollout phase and approval timing (shared/domain/rollout/phase.ts). Absent means
   * `autonomous` (today's behaviour); new production tenants are onboarded with `shadow`.
   */
  rollout: rolloutSettingsSchema.optional(),
  /**
   * The organisation the tenant belongs to (shared/domain/org-concurrency.ts): at most the stage's
   * `ORG_CYCLE_CONCURRENCY` cycles of one organisation run at once. Absent: the tenant itself.
   */
  organisation: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, ".", "_" or "-"')
    .optional(),
  /** Feature flags per action type; a type set to false is denied by policy (`action_disabled`). */
  features: z.partialRecord(z.enum(ACTION_TYPES), z.boolean()).default({}),
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
