import { parseFixture, type Fixture } from '../../infra/local/fixture.js';
import { runSimulation } from '../../infra/local/simulator.js';
import { createSendingService } from '../../infra/local/sending-service.js';
import type { SimulationReport } from '../../infra/local/report.js';
import type { LocalSender } from '../../infra/local/local-sender.js';
import { sendFaults, type SendFaultSchedule } from './send-faults.js';
import type { StoredEmail } from '../../infra/local/ses-emulator.js';

const DAY_MS = 86_400_000;

/** One tenant whose contacts fall due at the given instants (created 21 days before each). */
export interface TouchTenant {
  readonly id: string;
  readonly dueAt: readonly Date[];
  readonly fromAddress?: string;
  readonly caps?: Record<string, number>;
  readonly warmUp?: boolean;
  readonly timeZone?: string;
  readonly followUpsPerCycle?: number;
  readonly suppressed?: readonly number[];
  /** Goals behind pace (research is proposed once nobody contactable is overdue). */
  readonly behindPace?: boolean;
}

/** A production-mode fixture of tenants whose contacts fall due when the test says. */
export function touchFixture(tenants: readonly TouchTenant[], seed = 3): Fixture {
  return parseFixture({
    global: { sendMode: 'production', seed },
    tenants: tenants.map((tenant) => ({
      id: tenant.id,
      settings: {
        name: `Tenant ${tenant.id}`,
        agentEnabled: true,
        tier: 'enterprise',
        timeZone: tenant.timeZone ?? 'America/Chicago',
        followUpsPerCycle: tenant.followUpsPerCycle ?? 50,
        goals: { pipelineTarget: 0, behindPace: tenant.behindPace ?? false },
        sending: {
          caps: { minDelaySeconds: 0, perDomainPerHour: 1_000, perHour: 1_000, ...tenant.caps },
          warmUp: { enabled: tenant.warmUp ?? false },
          ...(tenant.fromAddress ? { fromAddress: tenant.fromAddress } : {}),
        },
      },
      doNotContact: {},
      contacts: tenant.dueAt.map((due, index) => ({
        contactId: `c-${index}`,
        email: `person${index}@client${index % 7}.example`,
        createdAt: new Date(due.getTime() - 21 * DAY_MS).toISOString(),
      })),
      suppressions: (tenant.suppressed ?? []).map((index) => ({
        email: `person${index}@client${index % 7}.example`,
        reason: 'hard_bounce',
      })),
    })),
  });
}

/** How many messages the SES emulator accepted per recipient. */
export function deliveriesByRecipient(emails: readonly StoredEmail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const email of emails)
    for (const to of email.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/**
 * Runs a production simulation and returns the report with every message SES accepted. */
export async function simulateTouches(
  tenants: readonly TouchTenant[],
  window: { start: string; hours: number },
  faults?: (now: () => Date) => Omit<SendFaultSchedule, 'now'>,
  redriveAt?: Date,
): Promise<{
  report: SimulationReport;
  emails: StoredEmail[];
  faults?: ReturnType<typeof sendFaults>;
  /** The touch key (encoded) of every message SES accepted. */
  acceptedKeys: string[];
  redriven: number;
}> {
  let emails: StoredEmail[] = [];
  let acceptedKeys: string[] = [];
  const clockRef: { now: () => Date } = { now: () => new Date(window.start) };
  const injected = faults
    ? sendFaults({ ...faults(() => clockRef.now()), now: () => clockRef.now() })
    : undefined;
  let redriven = false;
  let moved = 0;
  const report = await runSimulation({
    fixture: touchFixture(tenants),
    start: new Date(window.start),
    hours: window.hours,
    sendMode: 'production',
    services: [
      createSendingService({
        ...(injected
          ? { afterAcceptance: injected.afterAcceptance, wrapDoc: injected.wrapDoc }
          : {}),
        beforeDrain: async (at: Date, sender: LocalSender) => {
          clockRef.now = () => at;
          if (redriveAt && !redriven && at.getTime() >= redriveAt.getTime()) {
            redriven = true;
            moved = await sender.redriveDeadLetters();
          }
        },
        onStop: async (accepted, sender) => {
          emails = accepted;
          acceptedKeys = (sender?.events.accepted ?? []).map((m) => m.sendKey ?? m.to);
        },
      }),
    ],
  });
  return {
    report,
    emails,
    acceptedKeys,
    redriven: moved,
    ...(injected ? { faults: injected } : {}),
  };
}
