import * as z from '../../zod.js';

/** A message on the ingest queue: one Gmail message id of one tenant, as the poller found it. */
export const ingestRequestSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a tenant id')),
  messageId: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'expected a Gmail message id')),
  threadId: z.optional(z.string().check(z.maxLength(128))),
  /** How the poller found it: incremental history or a (first-run / expired-cursor) full sync. */
  source: z.enum(['history', 'full_sync']),
  enqueuedAt: z.iso.datetime(),
});
export type IngestRequest = z.output<typeof ingestRequestSchema>;
