/**
 * The order in which one send reserves its counters (the reservation protocol of
 * `SendingIdentityRepository`): the sending identity's day first, then the tenant's counters;
 * when the tenant refuses or throws, the identity's send is given back.
 *
 * The identity goes first because it is the contended, shared limit: a send refused there never
 * touches the tenant's item, and its compensation is a single decrement that cannot be lost to a
 * sealed day (the tenant counters' release can). A crash between the two steps leaves the
 * identity over-counted by one, which errs on the safe side.
 */

/** A reservation's answer; `reserved` says whether it holds. */
export interface ReservationOutcome {
  readonly reserved: boolean;
}

/** A held reservation of type `R`. */
export type Held<R extends ReservationOutcome> = Extract<R, { readonly reserved: true }>;

/** The three steps, as functions, so the protocol is independent of storage. */
export interface IdentityReservationPorts<
  I extends ReservationOutcome,
  T extends ReservationOutcome,
> {
  /** Counts the send on the identity's day under its cap (`SendingIdentityRepository.reserve`). */
  readonly reserveIdentity: () => Promise<I>;
  /** Reserves the tenant's counters, including any re-decide-and-retry loop of the caller. */
  readonly reserveTenant: () => Promise<T>;
  /** Gives the identity's send back (`SendingIdentityRepository.release(identity, held.dateKey)`). */
  readonly releaseIdentity: (held: Held<I>) => Promise<boolean>;
  /** Told when the compensating release threw; the identity then stays over-counted by one. */
  readonly onReleaseError?: (error: unknown) => void;
}

/** What {@link reserveWithIdentity} did. */
export type IdentityReservation<I extends ReservationOutcome, T extends ReservationOutcome> =
  | { readonly kind: 'reserved'; readonly identity: Held<I>; readonly tenant: Held<T> }
  /** The identity's cap refused; the tenant's counters were not touched. */
  | { readonly kind: 'identity_refused'; readonly identity: I }
  /** The tenant's counters refused; `released` says whether the identity's send was given back. */
  | {
      readonly kind: 'tenant_refused';
      readonly identity: Held<I>;
      readonly tenant: T;
      readonly released: boolean;
    };

/**
 * Reserves the identity, then the tenant; releases the identity when the tenant refuses. When the
 * tenant reservation throws, the identity is released and the original error is re-thrown (a
 * failing release is reported to `onReleaseError`, never thrown over the original error).
 *
 * @example
 * const outcome = await reserveWithIdentity({
 *   reserveIdentity: () => identities.reserve(identity, now, cap?.perDay),
 *   reserveTenant: () => rates.reserve(tenantId, window, limits, now, base),
 *   releaseIdentity: (held) => identities.release(identity, held.dateKey),
 *   onReleaseError: (error) => logger.warn('identity release failed', { error: String(error) }),
 * });
 */
export async function reserveWithIdentity<
  I extends ReservationOutcome,
  T extends ReservationOutcome,
>(ports: IdentityReservationPorts<I, T>): Promise<IdentityReservation<I, T>> {
  const identity = await ports.reserveIdentity();
  if (!isHeld(identity)) return { kind: 'identity_refused', identity };

  let tenant: T;
  try {
    tenant = await ports.reserveTenant();
  } catch (error) {
    await releaseQuietly(ports, identity);
    throw error;
  }
  if (isHeld(tenant)) return { kind: 'reserved', identity, tenant };
  const released = await releaseQuietly(ports, identity);
  return { kind: 'tenant_refused', identity, tenant, released };
}

function isHeld<R extends ReservationOutcome>(outcome: R): outcome is Held<R> {
  return outcome.reserved;
}

async function releaseQuietly<I extends ReservationOutcome, T extends ReservationOutcome>(
  ports: IdentityReservationPorts<I, T>,
  held: Held<I>,
): Promise<boolean> {
  try {
    return await ports.releaseIdentity(held);
  } catch (error) {
    ports.onReleaseError?.(error);
    return false;
  }
}
