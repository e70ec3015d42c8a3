import { randomUUID } from 'node:crypto';
import type { CounterWindow, SendDecision, SendLimits } from '../../domain/send-gate.js';
import type { CounterBase, RateCounterRepository } from '../../storage/rate-counter-repository.js';
import type { SendRecord, SendRecordRepository } from '../../storage/send-record-repository.js';
import { CONTENTION_RETRY_MS, RESERVE_ATTEMPTS } from '../send-lifecycle.js';
import type { QueuedSend } from '../queued-send.js';
import { subjectOf } from './record.js';

/**
 * The sending identity's (From domain's) own limit, reserved before the tenant's counters so N
 * tenants on one domain never exceed its warm-up ladder. Absent: the identity has no limit.
 */
export interface IdentityLimiter {
  /** Counts one send on the identity, or says when it has room again. */
  reserve(
    fromAddress: string,
    now: Date,
  ): Promise<
    | { readonly reserved: true; readonly release: () => Promise<void> }
    | {
        readonly reserved: false;
        readonly reason: string;
        readonly detail: string;
        readonly freesAt: Date;
      }
  >;
}

/** What reserve + claim works through. */
export interface ReservePorts {
  readonly rates: RateCounterRepository;
  readonly records: SendRecordRepository;
  readonly identity?: IdentityLimiter;
  readonly claimTtlMs: number;
  readonly random: () => number;
}

/** The stage's answer. */
export type ReserveResult =
  /** Counters reserved and the touch key claimed with `token`; `release` gives the counters back. */
  | {
      readonly kind: 'claimed';
      readonly token: string;
      readonly record: SendRecord;
      readonly release: () => Promise<void>;
    }
  /** The counters said no after all: a deferral (or another decision) to record instead. */
  | { readonly kind: 'decided'; readonly decision: Exclude<SendDecision, { kind: 'send' }> }
  | {
      readonly kind: 'deferred';
      readonly reason: string;
      readonly detail: string;
      readonly dueAt: Date;
    }
  /** Another delivery of the same touch holds or decided the key. */
  | { readonly kind: 'lost_race'; readonly existing: SendRecord | undefined };

/**
 * Reserve + claim: counts the send on the sending identity and on every tenant window with one
 * conditional update each (a changed counter item re-runs the gate on what it now holds, up to
 * three times), then claims the touch key with one conditional update. Each step that fails gives
 * back what the earlier ones took; a crash between two steps over-counts (the safe side) and never
 * sends, because nothing is sent without the claim.
 *
 * ```
 * identity.reserve → rates.reserve → records.claim → (deliver)
 *        ▲ release ◄──── release ◄──── refused
 * ```
 */
export async function reserveAndClaim(
  ports: ReservePorts,
  input: {
    readonly request: QueuedSend;
    readonly email: string;
    readonly fromAddress: string;
    readonly window: CounterWindow;
    readonly limits: SendLimits;
    readonly base: CounterBase | undefined;
    readonly now: Date;
    /** Re-runs the gate on a counter item that changed under the reservation. */
    readonly redecide: (item: Record<string, unknown> | undefined) => SendDecision;
  },
): Promise<ReserveResult> {
  const { request, window, now } = input;
  const identity = ports.identity ? await ports.identity.reserve(input.fromAddress, now) : undefined;
  if (identity && !identity.reserved) {
    return {
      kind: 'deferred',
      reason: identity.reason,
      detail: identity.detail,
      dueAt: identity.freesAt,
    };
  }
  const releaseIdentity = async () => {
    if (identity?.reserved) await identity.release();
  };

  let limits = input.limits;
  for (let attempt = 1; ; attempt += 1) {
    const reserved = await ports.rates.reserve(
      request.tenantId,
      window,
      limits,
      now,
      input.base ?? { month: 0 },
    );
    if (reserved.reserved) break;
    const again = input.redecide(reserved.current);
    if (again.kind !== 'send') {
      await releaseIdentity();
      return { kind: 'decided', decision: again };
    }
    if (attempt >= RESERVE_ATTEMPTS) {
      await releaseIdentity();
      return {
        kind: 'deferred',
        reason: 'counter_contention',
        detail:
          'the counter item changed under every attempt (or its day was sealed); retrying shortly',
        dueAt: new Date(
          now.getTime() + CONTENTION_RETRY_MS + Math.floor(ports.random() * CONTENTION_RETRY_MS),
        ),
      };
    }
    limits = again.limits;
  }
  const release = async () => {
    await ports.rates.release(request.tenantId, window);
    await releaseIdentity();
  };

  const token = randomUUID();
  const claim = await ports.records.claim(request.tenantId, subjectOf(request, input.email), {
    token,
    at: now,
    ttlMs: ports.claimTtlMs,
  });
  if (!claim.applied) {
    await release();
    return { kind: 'lost_race', existing: claim.existing };
  }
  return { kind: 'claimed', token, record: claim.record, release };
}
