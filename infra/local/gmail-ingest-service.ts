import type { TenantReport } from './report.js';
import { LocalGmailServer } from './gmail-server.js';
import {
  drainIngestQueue,
  LOCAL_GMAIL_CLIENT,
  localIngestHandler,
  localIngestRuntime,
} from './local-ingest.js';
import type { HourContext, SimulationService, SimulationSetup } from './simulation-services.js';
import { pollMailboxes } from '../../shared/ingest/poll-mailboxes.js';
import type { IngestRuntime } from '../../shared/ingest/runtime.js';
import type { IngestHandler } from '../../shared/ingest/handlers.js';

/** Minutes between polls, as the EventBridge schedule in AWS. */
export const POLL_INTERVAL_MINUTES = 5;

/** The mailbox address a simulated tenant's Gmail account has. */
export function simulatedMailboxAddress(
  tenantId: string,
  internalDomains: readonly string[],
): string {
  return `team@${internalDomains[0] ?? `${tenantId}.example`}`;
}

/**
 * The Gmail ingest pipeline in the simulation: a local Gmail server serves each tenant's fixture
 * `mailbox` (a message appears at its `receivedAt`, virtual time); every tenant with a mailbox is
 * connected through the same connection store and secrets layout as in AWS (a local OAuth client
 * and refresh token). Every 5 virtual minutes the real poller runs, then the real ingest handler
 * drains the local ingest queue. The report's `ingest` section counts what was ingested; a
 * message seen again (same Gmail id, or the same Message-ID under another id) is a duplicate.
 */
export class GmailIngestService implements SimulationService {
  readonly name = 'gmail-ingest';
  private server: LocalGmailServer | undefined;
  private runtime: IngestRuntime | undefined;
  private handler: IngestHandler | undefined;
  private setup: SimulationSetup | undefined;

  async start(setup: SimulationSetup): Promise<void> {
    const tenants = setup.fixture.tenants.filter((tenant) => tenant.mailbox.length > 0);
    if (tenants.length === 0) return;
    this.setup = setup;
    this.server = await LocalGmailServer.start({ clock: setup.clock, ...LOCAL_GMAIL_CLIENT });
    this.runtime = localIngestRuntime({
      stack: setup.stack,
      clock: setup.clock,
      parameters: setup.parameters,
      gmail: { rootUrl: this.server.rootUrl, tokenUrl: this.server.tokenUrl },
      metric: setup.runtime.metric,
    });
    this.handler = localIngestHandler(this.runtime);
    for (const tenant of tenants) {
      const address = simulatedMailboxAddress(tenant.id, tenant.settings.internalDomains ?? []);
      const refreshToken = `local-refresh-${tenant.id}`;
      this.server.addMailbox(address, tenant.mailbox, { refreshToken });
      await this.runtime.connections.connect(tenant.id, { refreshToken, emailAddress: address });
    }
  }

  async duringHour(context: HourContext): Promise<void> {
    if (!this.runtime || !this.handler || !this.setup) return;
    for (let minute = 0; minute < 60; minute += POLL_INTERVAL_MINUTES) {
      const at = new Date(context.at.getTime() + minute * 60_000);
      if (at.getTime() >= context.hourEnd.getTime()) break;
      context.advanceTo(at);
      const summary = await pollMailboxes(this.runtime);
      if (summary.enqueued > 0) await drainIngestQueue(this.setup.stack, this.handler);
    }
  }

  async report(
    tenantId: string,
    window: { start: Date; end: Date },
  ): Promise<Partial<TenantReport>> {
    if (!this.runtime) return {};
    const from = window.start.toISOString();
    const until = window.end.toISOString();
    let messages = 0;
    let duplicates = 0;
    const classified: Record<string, number> = {};
    for (const record of await this.runtime.repos.messages.list(tenantId)) {
      duplicates += record.duplicates ?? 0;
      // The same message under a second Gmail id: a duplicate, not a second message.
      if (record['duplicateOf'] !== undefined) {
        duplicates += 1;
        continue;
      }
      if (
        record.status !== 'done' ||
        !record.processedAt ||
        record.processedAt < from ||
        record.processedAt > until
      )
        continue;
      messages += 1;
      const key = record.classification ?? 'other';
      classified[key] = (classified[key] ?? 0) + 1;
    }
    return {
      ingest: {
        messages,
        duplicates,
        classified: Object.fromEntries(
          Object.entries(classified).sort(([a], [b]) => a.localeCompare(b)),
        ),
      },
    };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}
