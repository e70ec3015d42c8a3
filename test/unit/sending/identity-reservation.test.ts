import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  reserveWithIdentity,
  type IdentityReservationPorts,
} from '../../../shared/sending/identity-reservation.js';

type Identity = { reserved: true; dateKey: string } | { reserved: false; dateKey: string };
type Tenant = { reserved: true } | { reserved: false; current: string };

/** Ports that record the order of calls and answer from a script. */
function scriptedPorts(script: {
  identity: boolean;
  tenant: boolean | Error;
  release?: boolean | Error;
}) {
  const calls: string[] = [];
  const releaseErrors: unknown[] = [];
  const ports: IdentityReservationPorts<Identity, Tenant> = {
    reserveIdentity: async () => {
      calls.push('reserveIdentity');
      return { reserved: script.identity, dateKey: '2026-01-05' } as Identity;
    },
    reserveTenant: async () => {
      calls.push('reserveTenant');
      if (script.tenant instanceof Error) throw script.tenant;
      return script.tenant ? { reserved: true } : { reserved: false, current: 'day=150' };
    },
    releaseIdentity: async (held) => {
      calls.push(`releaseIdentity:${held.dateKey}`);
      if (script.release instanceof Error) throw script.release;
      return script.release ?? true;
    },
    onReleaseError: (error) => releaseErrors.push(error),
  };
  return { ports, calls, releaseErrors };
}

describe('Sending: reserveWithIdentity', () => {
  it.each([
    {
      case: 'both reserve: identity first, nothing released',
      script: { identity: true, tenant: true },
      kind: 'reserved',
      calls: ['reserveIdentity', 'reserveTenant'],
    },
    {
      case: 'the identity refuses: the tenant counters are never touched',
      script: { identity: false, tenant: true },
      kind: 'identity_refused',
      calls: ['reserveIdentity'],
    },
    {
      case: "the tenant refuses: the identity's send is given back on its day",
      script: { identity: true, tenant: false },
      kind: 'tenant_refused',
      calls: ['reserveIdentity', 'reserveTenant', 'releaseIdentity:2026-01-05'],
    },
  ])('$case', async ({ script, kind, calls }) => {
    // Prepare
    const scripted = scriptedPorts(script);

    // Act
    const outcome = await reserveWithIdentity(scripted.ports);

    // Assess
    expect(outcome.kind).toBe(kind);
    expect(scripted.calls).toEqual(calls);
  });

  it("returns the tenant's refusal and whether the release applied", async () => {
    const refused = await reserveWithIdentity(
      scriptedPorts({ identity: true, tenant: false, release: false }).ports,
    );

    expect(refused).toEqual({
      kind: 'tenant_refused',
      identity: { reserved: true, dateKey: '2026-01-05' },
      tenant: { reserved: false, current: 'day=150' },
      released: false,
    });
  });

  it('releases the identity and re-throws when the tenant reservation throws', async () => {
    // Prepare
    const failure = new Error('ProvisionedThroughputExceededException');
    const scripted = scriptedPorts({ identity: true, tenant: failure });

    // Act
    const attempt = reserveWithIdentity(scripted.ports);

    // Assess
    await expect(attempt).rejects.toBe(failure);
    expect(scripted.calls).toEqual([
      'reserveIdentity',
      'reserveTenant',
      'releaseIdentity:2026-01-05',
    ]);
  });

  it('re-throws the original error, not the release error, when both fail', async () => {
    // Prepare
    const failure = new Error('tenant reservation timed out');
    const releaseFailure = new Error('release timed out');
    const scripted = scriptedPorts({ identity: true, tenant: failure, release: releaseFailure });

    // Act
    const attempt = reserveWithIdentity(scripted.ports);

    // Assess
    await expect(attempt).rejects.toBe(failure);
    expect(scripted.releaseErrors).toEqual([releaseFailure]);
  });

  it('reports a failed release after a refusal and answers released: false', async () => {
    const releaseFailure = new Error('release timed out');
    const scripted = scriptedPorts({ identity: true, tenant: false, release: releaseFailure });

    const outcome = await reserveWithIdentity(scripted.ports);

    expect(outcome).toMatchObject({ kind: 'tenant_refused', released: false });
    expect(scripted.releaseErrors).toEqual([releaseFailure]);
  });

  it('lets nothing through when the identity reservation throws', async () => {
    const failure = new Error('identity reservation failed');
    const scripted = scriptedPorts({ identity: true, tenant: true });
    const ports = {
      ...scripted.ports,
      reserveIdentity: async () => {
        throw failure;
      },
    };

    await expect(reserveWithIdentity(ports)).rejects.toBe(failure);
    expect(scripted.calls).toEqual([]);
  });

  it('never leaves the identity holding a send the tenant did not get (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            identity: fc.boolean(),
            tenant: fc.constantFrom<boolean | Error>(true, false, new Error('boom')),
          }),
          { maxLength: 30 },
        ),
        async (attempts) => {
          // A counter pair: the identity's count must equal the tenant's after every attempt.
          let identityCount = 0;
          let tenantCount = 0;
          for (const attempt of attempts) {
            await reserveWithIdentity<Identity, Tenant>({
              reserveIdentity: async () => {
                if (attempt.identity) identityCount += 1;
                return { reserved: attempt.identity, dateKey: 'd' } as Identity;
              },
              reserveTenant: async () => {
                if (attempt.tenant instanceof Error) throw attempt.tenant;
                if (attempt.tenant) tenantCount += 1;
                return attempt.tenant ? { reserved: true } : { reserved: false, current: '' };
              },
              releaseIdentity: async () => {
                identityCount -= 1;
                return true;
              },
            }).catch(() => undefined);
            expect(identityCount).toBe(tenantCount);
          }
        },
      ),
    );
  });
});
