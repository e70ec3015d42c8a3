import { randomUUID } from 'node:crypto';
import type { DeliverabilityStats } from '../../domain/deliverability.js';
import type { SendingSettings } from '../../domain/sending-settings.js';
import type { CounterWindow, SendDecision, SendLimits } from '../../domain/send-gate.js';
import type { CounterBase, RateCounterRepository } from '../../storage/rate-counter-repository.js';
import type { SendRecord, SendRecordRepository } from '../../storage/send-record-repository.js';
import type { SnapshotWarmUp } from '../../storage/send-snapshot.js';
import { CONTENTION_RETRY_MS, RESERVE_ATTEMPTS } from '../send-lifecycle.js';
import type { QueuedSend } from '../queued-send.js';
import { subjectOf } from './record.js';
import { reserveWithIdentity } from '../identity-reservation.js';

/**
 * The sending identity's (From domain's) own limit, reserved before the tenant's counters so N
 * tenants on one domain never exceed its warm-up ladder. Absent: the identity has no limit.
 */
export interface IdentityLimiter {
  /** Counts one send on the identity, or says when it has room again. */
  reserve(input: IdentityReservation): Promise<
    | { readonly reserved: true; readonly release: () => Promise<void> }
    | {
        readonly reserved: false;
        readonly reason: string;
        readonly detail: string;
        readonly freesAt: Date;
      }
  >;
}

/** One send's claim on its sending identity. */
export interface IdentityReservation {
  readonly fromAddress: string;
  /** The sending tenant's warm-up setting (its first send starts the identity's ladder). */
  readonly tenantWarmUp: SendingSettings['warmUp'];
  /** Recent rates the ladder holds on. */
  readonly deliverability: DeliverabilityStats | undefined;
  /** The ladder as the send's snapshot read it (strongly consistent); used when its identity is the From domain's. */
  readonly warmUp?: SnapshotWarmUp;
  readonly now: Date;
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
    readonly identity: Omit<IdentityReservation, 'now'>;
    readonly window: CounterWindow;
    readonly limits: SendLimits;
    readonly base: CounterBase | undefined;
    readonly now: Date;
    /** When a send deferred until `freesAt` is due (the tenant's sending window, jitter). */
    readonly dueAfter: (freesAt: Date) => Date;
    /** Re-runs the gate on a counter item that changed under the reservation. */
    readonly redecide: (item: Record<string, unknown> | undefined) => SendDecision;
  },
): Promise<ReserveResult> {
  const { request, window, now } = input;
  const noIdentityLimit = { reserved: true as const, release: async () => undefined };
  const reservation = await reserveWithIdentity({
    reserveIdentity: async () =>
      ports.identity ? ports.identity.reserve({ ...input.identity, now }) : noIdentityLimit,
    reserveTenant: () => reserveTenant(ports, input),
    releaseIdentity: async (held) => {
      await held.release();
      return true;
    },
  });
  if (reservation.kind === 'identity_refused') {
    const refused = reservation.identity;
    return refused.reserved
      ? { kind: 'lost_race', existing: undefined }
      : {
          kind: 'deferred',
          reason: refused.reason,
          detail: refused.detail,
          dueAt: input.dueAfter(refused.freesAt),
        };
  }
  if (reservation.kind === 'tenant_refused') {
    const { tenant } = reservation;
    return tenant.reserved ? { kind: 'lost_race', existing: undefined } : tenant.answer;
  }
  const held = reservation.identity;
  const release = async () => {
    await ports.rates.release(request.tenantId, window);
    await held.release();
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

/** The tenant's counters, re-deciding on what a refused reservation found, up to three times. */
async function reserveTenant(
  ports: ReservePorts,
  input: Parameters<typeof reserveAndClaim>[1],
): Promise<
  | { readonly reserved: true }
  | { readonly reserved: false; readonly answer: Exclude<ReserveResult, { kind: 'claimed' }> }
> {
  let limits = input.limits;
  for (let attempt = 1; ; attempt += 1) {
    const reserved = await ports.rates.reserve(
      input.request.tenantId,
      input.window,
      limits,
      input.now,
      input.base ?? { month: 0 },
    );
    if (reserved.reserved) return { reserved: true };
    const again = input.redecide(reserved.current);
    if (again.kind !== 'send') {
      return { reserved: false, answer: { kind: 'decided', decision: again } };
    }
    if (attempt >= RESERVE_ATTEMPTS) {
      return {
        reserved: false,
        answer: {
          kind: 'deferred',
          reason: 'counter_contention',
          detail:
            'the counter item changed under every attempt (or its day was sealed); retrying shortly',
          dueAt: new Date(
            input.now.getTime() +
              CONTENTION_RETRY_MS +
              Math.floor(ports.random() * CONTENTION_RETRY_MS),
          ),
        },
      };
    }
    limits = again.limits;
  }
}
