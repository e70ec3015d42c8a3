import { readFile } from 'node:fs/promises';
import * as z from '../../shared/zod.js';
import { SEND_MODES } from '../../shared/domain/send-mode.js';
import { tenantSettingsInputSchema } from '../../shared/domain/tenant.js';
import { accountSchema, contactSchema } from '../../shared/domain/entities.js';
import { catalogSchema, orderSchema } from '../../shared/domain/orders/order-schema.js';
import { bidSchema, dealSchema } from '../../shared/domain/pipeline.js';
import { SUPPRESSION_REASONS } from '../../shared/storage/suppression-repository.js';
import { ValidationError } from '../../shared/errors.js';
import { messagingPackSchema } from '../../shared/domain/drafting/messaging-pack.js';

const isoInstant = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 date-time' });

const gmailIdSchema = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'expected 1-128 letters, digits or ._:@-'),
  );

/**
 * A message in a tenant's mailbox fixture: raw RFC 822 text and when it arrives (virtual time),
 * optionally its Gmail `gmailId`, `threadId` and `labelIds` (the local Gmail server serves them).
 * An entry repeating a `gmailId` is that message listed again in history, and must carry the same
 * `raw`; the same `raw` under two ids is one message seen twice (ingest dedupes it by Message-ID).
 */
const mailboxMessageSchema = z.object({
  receivedAt: isoInstant,
  raw: z.string().check(z.minLength(1, 'expected the RFC 822 message text')),
  gmailId: z.optional(gmailIdSchema),
  threadId: z.optional(gmailIdSchema),
  labelIds: z.optional(
    z
      .array(z.string().check(z.minLength(1), z.maxLength(128)))
      .check(z.minLength(1, 'expected at least one label')),
  ),
});

const tenantFixtureSchema = z.object({
  id: z
    .string()
    .check(
      z.regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "expected 1-63 lower-case letters, digits, '-' or '_'"),
    ),
  settings: z.omit(tenantSettingsInputSchema, { doNotContact: true }),
  doNotContact: tenantSettingsInputSchema.shape.doNotContact,
  contacts: z._default(z.array(contactSchema), []),
  accounts: z._default(z.array(accountSchema), []),
  orders: z._default(z.array(orderSchema), []),
  catalog: z._default(catalogSchema, []),
  deals: z._default(z.array(dealSchema), []),
  bids: z._default(z.array(bidSchema), []),
  suppressions: z._default(
    z.array(
      z.object({ email: z.email(), reason: z._default(z.enum(SUPPRESSION_REASONS), 'manual') }),
    ),
    [],
  ),
  mailbox: z._default(z.array(mailboxMessageSchema), []),
  /** The tenant's messaging pack (templates, tone, forbidden claims, footer); the default when absent. */
  messagingPack: z.optional(messagingPackSchema),
});

/**
 * A simulation fixture (DESIGN.md section 7): global settings and the tenants to seed. Everything
 * is validated; the first problem is reported with its path (e.g. `tenants[1].contacts[0].email`).
 */
export const fixtureSchema = z
  .object({
    global: z.prefault(
      z.object({
        /** Virtual start of the simulation; `--start` overrides it. */
        start: z.optional(isoInstant),
        hours: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(24 * 366))),
        sendMode: z._default(z.enum(SEND_MODES), 'dry_run'),
        killSwitch: z._default(z.enum(['on', 'off']), 'off'),
        killSwitchReason: z.optional(z.string()),
        /** Seed for every random choice, so a simulation is reproducible. */
        seed: z._default(z.number().check(z.int()), 1),
      }),
      {},
    ),
    tenants: z.array(tenantFixtureSchema).check(z.minLength(1, 'expected at least one tenant')),
  })
  .check(
    z.superRefine((fixture, ctx) => {
      const seen = new Set<string>();
      fixture.tenants.forEach((tenant, index) => {
        if (seen.has(tenant.id))
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', index, 'id'],
            message: `duplicate tenant id ${tenant.id}`,
          });
        seen.add(tenant.id);
        const rawById = new Map<string, string>();
        tenant.mailbox.forEach((message, position) => {
          if (!message.gmailId) return;
          const earlier = rawById.get(message.gmailId);
          if (earlier !== undefined && earlier !== message.raw)
            ctx.addIssue({
              code: 'custom',
              path: ['tenants', index, 'mailbox', position, 'raw'],
              message: `gmailId ${message.gmailId} is repeated with a different raw message`,
            });
          if (earlier === undefined) rawById.set(message.gmailId, message.raw);
        });
      });
    }),
  );

export type Fixture = z.output<typeof fixtureSchema>;
export type TenantFixture = Fixture['tenants'][number];

/** Validates a parsed fixture; throws a {@link ValidationError} whose field is the offending path. */
export function parseFixture(value: unknown): Fixture {
  const parsed = fixtureSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(formatPath(issue?.path ?? []), issue?.message ?? 'invalid fixture');
  }
  return parsed.data;
}

/** Reads and validates a fixture file; JSON syntax errors name the file. */
export async function loadFixture(path: string): Promise<Fixture> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(path, `not valid JSON: ${(error as Error).message}`);
  }
  return parseFixture(value);
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (text, part) =>
        typeof part === 'number'
          ? `${text}[${part}]`
          : text
            ? `${text}.${String(part)}`
            : String(part),
      '',
    ) || 'fixture'
  );
}
