import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantNotFoundError } from '../../../shared/errors.js';
import { createCycleRepositories } from '../../../shared/cycle/create-runtime.js';
import type { CycleRepositories } from '../../../shared/cycle/runtime.js';
import type { ReflectionBody } from '../../../shared/domain/reflection.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const REFLECTION: ReflectionBody = {
  metrics: {
    contacts: 2,
    overdueContacts: 0,
    complianceRate: 1,
    actionsPlanned: 0,
    actionsExecuted: 0,
    actionsBlocked: 0,
    actionsDeferred: 0,
    actionsFailed: 0,
    outcomesFolded: 0,
  },
  deltas: {},
  blockedBy: {},
  changes: [],
  hints: [],
  pendingRequests: [],
};

describe('Storage: TenantWorkingSetRepository', () => {
  let table: TestTable;
  let repos: CycleRepositories;

  beforeAll(async () => {
    table = await createTestTable();
    repos = createCycleRepositories(table);
    await repos.tenants.put('ws', { name: 'Working set', agentEnabled: true });
    await repos.runs.start('ws', { hourKey: '2026010509', runId: 'run-9' });
    await repos.accounts.put('ws', { accountId: 'acc', name: 'Acme', status: 'active' });
    for (const [contactId, email] of [
      ['c-1', 'ana@acme.example'],
      ['c-2', 'ben@acme.example'],
    ] as const)
      await repos.contacts.put('ws', { contactId, email, accountId: 'acc' });
    await repos.suppressions.add('ws', 'Ben@Acme.example', 'unsubscribe', 'test');
    await repos.deals.put('ws', { dealId: 'd-1', name: 'Renewal', stage: 'proposal', value: 10 });
    await repos.bids.put('ws', { bidId: 'b-1', title: 'Tender', status: 'submitted' });
    await repos.outcomes.commit('ws', '01KE6QZ0000000000000000000');
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('reads settings, run, contacts, accounts, suppressions and the React cursor in one request', async () => {
    table.requestCounts.clear();

    const set = await repos.workingSet.require('ws', {
      hourKey: '2026010509',
      contactIds: ['c-1', 'c-2', 'c-missing'],
      accountIds: ['acc'],
      emails: ['ANA@acme.example', 'ben@acme.example'],
      reactCursor: true,
    });

    expect([...table.requestCounts.entries()]).toEqual([['BatchGetItemCommand', 1]]);
    expect(set.settings).toMatchObject({ tenantId: 'ws', name: 'Working set' });
    expect(set.run).toMatchObject({ runId: 'run-9', status: 'RUNNING' });
    expect([...set.contacts.keys()].sort()).toEqual(['c-1', 'c-2']);
    expect(set.contacts.get('c-1')).toMatchObject({ email: 'ana@acme.example', accountId: 'acc' });
    expect(set.accounts.get('acc')).toMatchObject({ name: 'Acme' });
    expect([...set.suppressed]).toEqual(['ben@acme.example']);
    expect(set.reactCursor).toBe('01KE6QZ0000000000000000000');
  });

  it('reads a run’s cards by id in plan order and a tenant-hour’s reflection with the settings in one request', async () => {
    // Prepare
    await repos.cards.createAll('ws', { hourKey: '2026010509', runId: 'run-9' }, [
      { type: 'follow_up', target: { contactId: 'c-2' }, reason: 'second', payload: {} },
      { type: 'follow_up', target: { contactId: 'c-1' }, reason: 'first', payload: {} },
    ]);
    const planned = await repos.cards.listForRun('ws', '2026010509');
    await repos.reflections.put('ws', '2026010508', 'run-8', REFLECTION);
    table.requestCounts.clear();

    // Act
    const set = await repos.workingSet.require('ws', {
      cards: {
        hourKey: '2026010509',
        cardIds: [...planned.map((card) => card.cardId).reverse(), 'follow_up:c-9:missing'],
      },
      reflectionHourKey: '2026010508',
    });
    const none = await repos.workingSet.require('ws', { reflectionHourKey: '2026010507' });

    // Assess
    expect([...table.requestCounts.entries()]).toEqual([['BatchGetItemCommand', 2]]);
    expect(set.cards.map((card) => card.reason)).toEqual(['second', 'first']);
    expect(set.cards).toEqual(planned);
    expect(set.reflection).toMatchObject({ hourKey: '2026010508', runId: 'run-8' });
    expect(none.reflection).toBeUndefined();
  });

  it('names the missing tenant when a step requires its settings, and reads none otherwise', async () => {
    await expect(repos.workingSet.require('nobody', { hourKey: '2026010509' })).rejects.toThrow(
      TenantNotFoundError,
    );
    expect(await repos.workingSet.read('nobody', { hourKey: '2026010509' })).toMatchObject({
      settings: undefined,
      run: undefined,
    });
  });

  it('reads every contact, deal and bid with one Query and leaves the other items out', async () => {
    table.requestCounts.clear();

    const { contacts, deals, bids } = await repos.workingSet.contactsAndPipeline('ws');

    expect([...table.requestCounts.entries()]).toEqual([['QueryCommand', 1]]);
    expect(contacts.map((contact) => contact.contactId)).toEqual(['c-1', 'c-2']);
    expect(deals).toEqual([expect.objectContaining({ dealId: 'd-1', stage: 'proposal' })]);
    expect(bids).toEqual([expect.objectContaining({ bidId: 'b-1', status: 'submitted' })]);
  });
});
