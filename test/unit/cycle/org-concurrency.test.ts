import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORG_CYCLE_CONCURRENCY,
  decideOrgSlot,
  organisationSlotOf,
  parseOrgCycleConcurrency,
} from '../../../shared/domain/org-concurrency.js';
import { ConfigError } from '../../../shared/errors.js';

const NOW = new Date('2026-01-05T09:00:00.000Z');
const LEASE_MS = 50 * 60_000;
const LATER = '2026-01-05T09:30:00.000Z';
const EARLIER = '2026-01-05T08:59:59.000Z';
const MINE = new Date(NOW.getTime() + LEASE_MS).toISOString();

describe('Domain: organisation cycle slots', () => {
  it.each([
    ['no holder, limit 1', {}, 1, { take: true, holders: { me: MINE } }],
    ['one live holder, limit 1', { other: LATER }, 1, { take: false, busy: ['other'] }],
    [
      'one live holder, limit 2',
      { other: LATER },
      2,
      { take: true, holders: { other: LATER, me: MINE } },
    ],
    ['two live holders, limit 2', { b: LATER, a: LATER }, 2, { take: false, busy: ['a', 'b'] }],
    [
      'an expired holder is dropped',
      { crashed: EARLIER },
      1,
      { take: true, holders: { me: MINE } },
    ],
    [
      'a lease ending now counts as expired',
      { ended: NOW.toISOString() },
      1,
      { take: true, holders: { me: MINE } },
    ],
    [
      'a retried step keeps its own slot with a fresh lease',
      { me: LATER },
      1,
      { take: true, holders: { me: MINE } },
    ],
    [
      'its own expired slot taken by another run is refused',
      { me: EARLIER, other: LATER },
      1,
      { take: false, busy: ['other'] },
    ],
  ])('decides %s', (_case, holders, limit, expected) => {
    expect(decideOrgSlot({ holders, limit, runId: 'me', now: NOW, leaseMs: LEASE_MS })).toEqual(
      expected,
    );
  });

  it('takes no organisation slot for a tenant that is its own organisation', () => {
    expect(organisationSlotOf({ tenantId: 'acme' })).toBeUndefined();
    expect(organisationSlotOf({ tenantId: 'acme', organisation: 'acme' })).toBeUndefined();
    expect(organisationSlotOf({ tenantId: 'acme', organisation: '  ' })).toBeUndefined();
    expect(organisationSlotOf({ tenantId: 'acme-eu', organisation: 'acme' })).toBe('acme');
  });

  it('reads ORG_CYCLE_CONCURRENCY as 1 to 100, defaulting to 1, and names the variable otherwise', () => {
    expect(parseOrgCycleConcurrency(undefined)).toBe(DEFAULT_ORG_CYCLE_CONCURRENCY);
    expect(parseOrgCycleConcurrency(' ')).toBe(1);
    expect(parseOrgCycleConcurrency('3')).toBe(3);
    for (const bad of ['0', '1.5', 'two', '101']) {
      expect(() => parseOrgCycleConcurrency(bad)).toThrow(ConfigError);
      expect(() => parseOrgCycleConcurrency(bad)).toThrow(/ORG_CYCLE_CONCURRENCY/);
    }
  });
});
