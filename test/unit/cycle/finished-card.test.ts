import { describe, expect, it } from 'vitest';
import { finishedCard } from '../../../shared/domain/finished-card.js';
import { ValidationError } from '../../../shared/errors.js';
import { NOW, card, hoursFromNow } from './builders.js';

const LATER = new Date(hoursFromNow(0.5));

describe('Domain: finished card', () => {
  it('records a planned card as claimed by the run, with executing and its final status in its history', () => {
    // Prepare
    const planned = card('planned');

    // Act
    const done = finishedCard(planned, {
      status: 'done',
      runId: 'run-7',
      now: LATER,
      decision: { allowed: true, rule: 'default' },
      result: { queued: true },
    });

    // Assess
    expect(done).toMatchObject({
      status: 'done',
      claimedBy: 'run-7',
      decision: { allowed: true, rule: 'default' },
      result: { queued: true },
      updatedAt: LATER.toISOString(),
      createdAt: NOW.toISOString(),
    });
    expect(done.history).toEqual([
      { status: 'planned', at: NOW.toISOString() },
      { status: 'executing', at: LATER.toISOString() },
      { status: 'done', at: LATER.toISOString() },
    ]);
  });

  it('adds only the final status to a card that already shows executing', () => {
    const executing = card('executing', { claimedBy: 'run-7' });

    const blocked = finishedCard(executing, { status: 'blocked', runId: 'run-7', now: LATER });

    expect(blocked.history.map((entry) => entry.status)).toEqual(['executing', 'blocked']);
  });

  it('refuses a card that is already final and a status executing may not move to, naming status', () => {
    expect(() =>
      finishedCard(card('done'), { status: 'failed', runId: 'run-7', now: LATER }),
    ).toThrow(ValidationError);
    expect(() =>
      finishedCard(card('planned'), { status: 'planned', runId: 'run-7', now: LATER }),
    ).toThrow(/^status: /);
  });
});
