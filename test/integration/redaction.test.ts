import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import { createCycleHarness, type CycleHarness } from '../helpers/cycle-harness.js';

const START = '2026-01-05T08:00:00.000Z';
const HOUR = hourKey(new Date(START));
/** Token shapes the redactor knows: a Google refresh token, an access token and a bearer header. */
const REFRESH_TOKEN = '1//0gLeakedRefreshTokenAbCdEfGhIjKlMnOp';
const ACCESS_TOKEN = 'ya29.a0LeakedAccessTokenQrStUvWxYz0123';
const LEAK = `upstream said: Authorization: Bearer ${ACCESS_TOKEN} refresh_token=${REFRESH_TOKEN}`;
const TOKEN_PARTS = ['LeakedRefreshToken', 'LeakedAccessToken'];

async function seedTenant(runtime: CycleRuntime, tenantId: string): Promise<void> {
  const { repos } = runtime;
  await repos.tenants.put(tenantId, { name: tenantId, agentEnabled: true });
  await repos.accounts.put(tenantId, {
    accountId: 'acc-1',
    name: 'Acme Lending',
    status: 'active',
    creditLimit: 10_000,
    outstandingBalance: 0,
  });
  const lastTouchAt = new Date(new Date(START).getTime() - 30 * 86_400_000).toISOString();
  await repos.contacts.put(tenantId, {
    contactId: 'c-1',
    email: 'ana@acme.example',
    accountId: 'acc-1',
    lastTouchAt,
    createdAt: lastTouchAt,
  });
}

async function tableText(harness: CycleHarness): Promise<string> {
  const { Items } = await harness.stack.clients.dynamodb.send(
    new ScanCommand({ TableName: harness.stack.tableName }),
  );
  return JSON.stringify(Items ?? []);
}

describe('Cycle: error text is redacted before it is stored or returned', () => {
  let harness: CycleHarness;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await harness.dispose();
  });

  it('keeps a token in a failing card out of the card result and the table', async () => {
    await seedTenant(harness.runtime, 'card-leak');
    vi.spyOn(harness.runtime.sendQueue, 'send').mockRejectedValueOnce(new Error(LEAK));

    const result = await harness.executor().runCycle({ tenantId: 'card-leak', hourKey: HOUR });

    expect(result.status).toBe('SUCCEEDED');
    const cards = await harness.runtime.repos.cards.listForRun('card-leak', HOUR);
    const failed = cards.find((card) => card.status === 'failed');
    expect(JSON.stringify(failed?.result)).toContain('[REDACTED]');
    const stored = await tableText(harness);
    for (const part of TOKEN_PARTS) expect(stored).not.toContain(part);
  });

  it('keeps a token in a failing step out of the run record, the table and the execution history', async () => {
    await seedTenant(harness.runtime, 'step-leak');
    vi.spyOn(harness.runtime.repos.reflections, 'latestBefore').mockRejectedValueOnce(
      new Error(LEAK),
    );

    const result = await harness
      .executor({ recordHistory: true })
      .runCycle({ tenantId: 'step-leak', hourKey: HOUR });

    expect(result.status).toBe('FAILED');
    const run = await harness.runtime.repos.runs.get('step-leak', HOUR);
    expect(run?.error?.phase).toBe('plan');
    expect(run?.error?.message).toContain('Bearer [REDACTED]');
    expect(run?.phases['plan']?.error).toContain('refresh_token=[REDACTED]');
    const history = JSON.stringify(result.history);
    // The failure went through the history (the Catch's Cause), redacted.
    expect(history).toContain('refresh_token=[REDACTED]');
    for (const part of TOKEN_PARTS) {
      expect(history).not.toContain(part);
      expect(result.error ?? '').not.toContain(part);
    }
    const stored = await tableText(harness);
    for (const part of TOKEN_PARTS) expect(stored).not.toContain(part);
  });
});
