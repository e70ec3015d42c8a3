import * as z from '../zod.js';

/** An ISO-8601 instant, normalised to UTC `…Z` so stored values sort chronologically. */
const isoInstant = z.pipe(
  z.iso.datetime({ offset: true, message: 'expected an ISO-8601 date-time' }),
  z.transform((value) => new Date(value).toISOString()),
);

/** Where ingest saw a discovered contact's address (see `contactSchema.discovered`). */
export const DISCOVERY_SOURCES = ['cc', 'to', 'reply_to', 'signature'] as const;

/** A person the agent engages with; engagement fields are maintained by the engagement engine. */
export const contactSchema = z.object({
  contactId: z.string().check(z.minLength(1)),
  email: z.email().check(z.toLowerCase()),
  name: z.optional(z.string()),
  title: z.optional(z.string()),
  phone: z.optional(z.string()),
  accountId: z.optional(z.string()),
  lastTouchAt: z.optional(isoInstant),
  lastInboundAt: z.optional(isoInstant),
  nextDueAt: z.optional(isoInstant),
  /** Set by Act while a touch to this contact waits in the send queue; the sender clears it. */
  pendingSend: z.optional(
    z.object({
      touchKey: z.string().check(z.minLength(1)),
      enqueuedAt: isoInstant,
      dueAt: z.optional(isoInstant),
    }),
  ),
  /** The last touch whose send reached a final status (it is never proposed again). */
  resolvedTouch: z.optional(
    z.object({
      touchKey: z.string().check(z.minLength(1)),
      status: z.string().check(z.minLength(1)),
      at: isoInstant,
    }),
  ),
  createdAt: z.optional(isoInstant),
  /**
   * Set when ingest created the contact only from someone else's mail (Cc, To, Reply-To or a
   * signature): a discovered contact is never an outreach target. Cleared when the address itself
   * writes to the tenant; never set on an existing contact.
   */
  discovered: z.optional(
    z.object({
      at: isoInstant,
      via: z.enum(DISCOVERY_SOURCES),
      messageId: z.optional(z.string()),
    }),
  ),
});
export type Contact = z.output<typeof contactSchema>;
/** How a discovered contact was seen. */
export type DiscoverySource = (typeof DISCOVERY_SOURCES)[number];

/** A client organisation; contacts reference it by `accountId`. */
export const accountSchema = z.object({
  accountId: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  domain: z.optional(z.string().check(z.toLowerCase())),
  status: z._default(z.enum(['prospect', 'active', 'inactive']), 'prospect'),
  industry: z.optional(z.string().check(z.toLowerCase())),
  region: z.optional(z.string().check(z.toLowerCase())),
  annualValue: z.optional(z.number().check(z.nonnegative())),
  creditLimit: z.optional(z.number().check(z.nonnegative())),
  outstandingBalance: z.optional(z.number().check(z.nonnegative())),
});
export type Account = z.output<typeof accountSchema>;
export type AccountInput = z.input<typeof accountSchema>;

/** The statuses a cycle run can end in (DESIGN.md section 7). */
export const RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One phase of a cycle as recorded on the run record. */
export interface PhaseRecord {
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly error?: string;
}

/** The record of one tenant-hour cycle. */
export interface RunRecord {
  readonly tenantId: string;
  readonly hourKey: string;
  readonly runId: string;
  readonly cycleNumber: number;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly executionName?: string;
  readonly reason?: string;
  readonly error?: { readonly phase?: string; readonly message: string };
  readonly phases: Readonly<Record<string, PhaseRecord>>;
  readonly counts: Readonly<Record<string, number>>;
  /** The tenant's next wake time this run set; the hours before it start no execution (idle). */
  readonly nextWakeAt?: string;
  /** What React folded this hour (set by React). */
  readonly react?: {
    readonly folded: number;
    readonly byKind: Readonly<Record<string, number>>;
    readonly sendsByStatus: Readonly<Record<string, number>>;
    readonly requests: readonly {
      readonly contactId?: string;
      readonly messageId: string;
      readonly text: string;
      readonly sourceClass?: string;
      readonly automated?: readonly string[];
    }[];
  };
  /** Open deals and bids Plan saw. */
  readonly pipeline?: { readonly openDeals: number; readonly openBids: number };
  /** Engagement stats as of this run (set by Plan, refreshed by Reflect). */
  readonly engagement?: {
    readonly contacts: number;
    readonly compliant: number;
    readonly overdue: number;
    readonly complianceRate: number;
  };
}
