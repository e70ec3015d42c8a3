import {
  identityCap,
  identityCapExceeded,
  identityWarmUpStatus,
  sendingIdentityOf,
} from '../../domain/sending-identity.js';
import type { SendingIdentityRepository } from '../../storage/sending-identity-repository.js';
import type { IdentityLimiter, IdentityReservation } from './reserve-and-claim.js';

/**
 * The sending identity's limit over its repository: takes the From domain's ladder state from the
 * send's snapshot when it read that identity's, else reads it (one consistent read either way;
 * today's count is checked by the reservation's condition), moves the ladder when it is due
 * (conditional write; a lost race keeps the winner's state), then counts the send under the
 * ladder's cap with one conditional update.
 */
export function sendingIdentityLimiter(identities: SendingIdentityRepository): IdentityLimiter {
  return {
    async reserve(input: IdentityReservation) {
      const identity = sendingIdentityOf(input.fromAddress);
      const warmUp =
        input.warmUp?.identity === identity
          ? input.warmUp.state
          : await identities.getWarmUp(identity);
      let status = identityWarmUpStatus({
        state: warmUp,
        tenantWarmUp: input.tenantWarmUp,
        deliverability: input.deliverability,
        now: input.now,
      });
      if (status.update) {
        const written = await identities.setWarmUp(identity, status.update, warmUp);
        if (!written.applied) {
          status = identityWarmUpStatus({
            state: written.current,
            tenantWarmUp: input.tenantWarmUp,
            deliverability: input.deliverability,
            now: input.now,
          });
        }
      }
      const cap = identityCap(status);
      const reserved = await identities.reserve(identity, input.now, cap?.perDay);
      if (reserved.reserved) {
        return {
          reserved: true as const,
          release: async () => {
            await identities.release(identity, reserved.dateKey);
          },
        };
      }
      const exceeded = identityCapExceeded(reserved.counters, cap, input.now);
      return {
        reserved: false as const,
        reason: exceeded?.reason ?? 'identity_warm_up_cap',
        detail: `${identity}: ${exceeded?.detail ?? 'the sending identity is at its cap today'}`,
        freesAt: exceeded?.freesAt ?? new Date(input.now.getTime() + 3_600_000),
      };
    },
  };
}
