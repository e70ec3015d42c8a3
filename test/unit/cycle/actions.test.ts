import { describe, expect, it } from 'vitest';
import {
  CARD_STATUSES,
  CARD_TRANSITIONS,
  canTransition,
  type CardStatus,
} from '../../../shared/domain/actions.js';

const ALLOWED = new Set([
  'planned→executing',
  'planned→blocked',
  'executing→done',
  'executing→blocked',
  'executing→deferred',
  'executing→failed',
  'executing→recorded',
  'executing→awaiting_approval',
]);

const PAIRS = CARD_STATUSES.flatMap((from) =>
  CARD_STATUSES.map((to) => ({ from, to, allowed: ALLOWED.has(`${from}→${to}`) })),
);

describe('Domain: canTransition', () => {
  it('covers every pair of the eight card statuses', () => {
    expect(CARD_STATUSES).toHaveLength(8);
    expect(PAIRS).toHaveLength(64);
  });

  it.each(PAIRS)('answers $allowed for $from → $to', ({ from, to, allowed }) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it.each([
    { status: 'done' },
    { status: 'blocked' },
    { status: 'deferred' },
    { status: 'failed' },
    { status: 'recorded' },
    { status: 'awaiting_approval' },
  ])('lets a $status card go nowhere', ({ status }) => {
    const terminal = status as CardStatus;

    expect(CARD_TRANSITIONS[terminal]).toEqual([]);
    expect(CARD_STATUSES.filter((to) => canTransition(terminal, to))).toEqual([]);
  });

  it('never lets a card stay in or return to its own status', () => {
    for (const status of CARD_STATUSES) expect(canTransition(status, status)).toBe(false);
    for (const status of CARD_STATUSES) expect(canTransition(status, 'planned')).toBe(false);
  });
});
