import * as z from 'zod';

/**
 * The draft Act wrote for a touch (shared/drafting/draft-touch.ts), carried on the request so the
 * sender delivers exactly the checked text inside its envelope (unsubscribe link, headers). How it
 * was written travels with it: the provider, the provider it fell back from, the checks that
 * failed on the way (a redraft) and the prompt version.
 */
export const carriedDraftSchema = z.object({
  subject: z.string().min(1).max(300),
  paragraphs: z.array(z.string().min(1).max(2_000)).min(1).max(24),
  provider: z.string().min(1).max(40),
  fallbackFrom: z.string().min(1).max(40).optional(),
  checks: z.array(z.string().min(1).max(40)).max(20),
  promptVersion: z.string().min(1).max(40).optional(),
});
export type CarriedDraft = z.infer<typeof carriedDraftSchema>;

/**
 * A message on the send queue: everything the sender needs to gate and send one email, by
 * reference (template id) or with the draft Act checked (`draft`). `idempotencyKey` is the touch key
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
  /** The checked draft; absent with drafting off (`--llm off`): the sender renders `template`. */
  draft: carriedDraftSchema.optional(),
});
export type SendRequest = z.infer<typeof sendRequestSchema>;
