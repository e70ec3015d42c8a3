/**
 * The lifecycle of one send (DESIGN.md section 5), keyed by its touch key (`SEND#<touchKey>`).
 * Each stage is one module in `./stages/`; the send processor only strings them together.
 *
 * ```
 *                 Act: enqueue + pendingSend marker on the contact
 *                                  │
 *                               queued ──(not due yet)──► waiting (re-queued until dueAt)
 *                                  │ load (stages/load.ts)
 *                                  ▼
 *              decide (pure: shared/domain/send-gate.ts) ─┬─► stopped    → released (open; re-planned)
 *                                  │                      ├─► suppressed │
 *                                  │                      ├─► blocked    │ final
 *                                  │                      ├─► superseded │ (stages/record.ts)
 *                                  │                      ├─► dry_run    │
 *                                  │                      └─► deferred   → re-queued with its due time
 *                                  ▼ send
 *           reserve + claim (stages/reserve-and-claim.ts): identity and tenant counters, then
 *                                  │                        the conditional claim on the touch key
 *                                  ▼
 *                  deliver (stages/deliver.ts): one SendEmail call, SDK retries off
 *            ┌─────────────────────┼──────────────────────┬────────────────────────┐
 *        accepted            not accepted              rejected               no answer
 *            │      (throttled, refused before    (4xx: auth, config,   (timeout, reset, 5xx)
 *            ▼        the request was written)       bad content)               │
 *          sent       released + deferred with          failed               in_doubt
 *                     backoff (counters returned)                               │
 *                                                      reconcile (stages/reconcile.ts) from the
 *                                                      configuration set's events by the send tag:
 *                                                      SEND/DELIVERY/BOUNCE/COMPLAINT/DELAY → sent
 *                                                      REJECT/RENDERING_FAILURE            → not_sent
 *                                                      nothing within the grace period     → unknown
 * ```
 *
 * Every final status clears the contact's pending-send marker and marks the touch resolved, so
 * the planner never proposes it again; `unknown` counts as a touch and is never re-sent. A stop
 * (kill switch, `EMAIL_SEND_DISABLED`, tenant disabled, sending paused) drops the queued send and
 * leaves its key open: the touch is re-planned by the first cycle after the stop is lifted.
 *
 * Retries: one layer. The SES client makes a single attempt (`maxAttempts: 1`); a send SES did
 * not accept goes back on the queue with exponential backoff (1 min doubling to 30 min, jitter),
 * and five provider failures in 15 minutes open the tenant's circuit. Nothing that may have been
 * accepted is retried.
 */

/** How long an in-doubt send waits for the event stream before it becomes `unknown`. */
export const IN_DOUBT_GRACE_MS = 30 * 60_000;

/** Backoff of a send SES did not accept: first retry after about a minute, at most 30 minutes. */
export const PROVIDER_RETRY = { baseMs: 60_000, maxMs: 30 * 60_000 } as const;

/** A short random delay before re-deciding a send whose counter item changed under it. */
export const CONTENTION_RETRY_MS = 5_000;

/** Reservations tried before a contended send is deferred a few seconds. */
export const RESERVE_ATTEMPTS = 3;
