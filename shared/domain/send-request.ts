import * as z from 'zod';

/**
 * A message on the send queue: everything the sender needs to gate and send one email, by
 * reference (template id, not rendered bodies). `idempotencyKey` is the touch key
 * (shared/domain/touch.ts): every copy of the same touch lands on the same send claim.
 */
export const sendRequestSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  idempotencyKey: z.string().min(1).max(200),
  to: z.email(),
  contactId: z.string().optional(),
  template: z.string().min(1),
  subject: z.string().optional(),
  cardId: z.string().min(1),
  runId: z.string().min(1),
  /** Not before this instant (virtual time in the simulator); deferrals move it forward. */
  dueAt: z.iso.datetime(),
  enqueuedAt: z.iso.datetime(),
  /** When the touch fell due (follow-ups); a contact whose clock moved past it supersedes the send. */
  touchDueAt: z.iso.datetime().optional(),
});
export type SendRequest = z.infer<typeof sendRequestSchema>;
