import * as z from '../zod.js';

/**
 * The draft Act wrote for a touch (shared/drafting/draft-touch.ts), carried on the request so the
 * sender delivers exactly the checked text inside its envelope (unsubscribe link, headers). How it
 * was written travels with it: the provider, the provider it fell back from, the checks that
 * failed on the way (a redraft) and the prompt version.
 */
export const carriedDraftSchema = z.object({
  subject: z.string().check(z.minLength(1), z.maxLength(300)),
  paragraphs: z
    .array(z.string().check(z.minLength(1), z.maxLength(2_000)))
    .check(z.minLength(1), z.maxLength(24)),
  provider: z.string().check(z.minLength(1), z.maxLength(40)),
  fallbackFrom: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
  checks: z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.maxLength(20)),
  promptVersion: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
});
export type CarriedDraft = z.infer<typeof carriedDraftSchema>;

/**
 * A message on the send queue: everything the sender needs to gate and send one email, by
 * reference (template id) or with the draft Act checked (`draft`). `idempotencyKey` is the touch key
 * (shared/domain/touch.ts): every copy of the same touch lands on the same send claim.
 */
export const sendRequestSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().check(z.minLength(1)),
  idempotencyKey: z.string().check(z.minLength(1), z.maxLength(200)),
  to: z.email(),
  contactId: z.optional(z.string()),
  template: z.string().check(z.minLength(1)),
  subject: z.optional(z.string()),
  cardId: z.string().check(z.minLength(1)),
  runId: z.string().check(z.minLength(1)),
  /** Not before this instant (virtual time in the simulator); deferrals move it forward. */
  dueAt: z.iso.datetime(),
  enqueuedAt: z.iso.datetime(),
  /** When the touch fell due (follow-ups); a contact whose clock moved past it supersedes the send. */
  touchDueAt: z.optional(z.iso.datetime()),
  /** The checked draft; absent with drafting off (`--llm off`): the sender renders `template`. */
  draft: z.optional(carriedDraftSchema),
});
export type SendRequest = z.infer<typeof sendRequestSchema>;
