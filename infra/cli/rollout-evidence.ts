import { SystemClock } from '../../shared/clock.js';
import type {
  AgreementTally,
  GraduationEvidence,
  IdentityCheck,
  Ladder,
} from '../../shared/domain/rollout/graduation.js';
import type { RolloutPhase } from '../../shared/domain/rollout/phase.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import type { TenantSettings } from '../../shared/domain/tenant.js';
import { localDateKey } from '../../shared/domain/zoned-time.js';
import { RateCounterRepository } from '../../shared/storage/rate-counter-repository.js';
import { SendingStateRepository } from '../../shared/storage/sending-state-repository.js';
import { canaryEvidence } from './canary-record.js';
import type { EmailSetupInspector } from './cloud-inspectors.js';
import { domainOf } from '../../shared/domain/domain-health.js';
import type { DomainHealthCheck } from '../../shared/sending/domain-health-check.js';
import type { OperatorContext } from './operator-context.js';

/**
 * The phase of a tenant whose settings name none: `autonomous`, what the agent did before the
 * rollout ladder existed (the lead's migration decision may set every tenant explicitly).
 */
export const PHASE_WHEN_UNSET: RolloutPhase = 'autonomous';

/** The send mode of a tenant whose settings name none: the fail-closed `dry_run` (parseSendMode). */
export const SEND_MODE_WHEN_UNSET: SendMode = 'dry_run';

/** Days of rate counters the deliverability criterion reads (the limited-live period). */
const DELIVERABILITY_DAYS = 14;

/** Where evidence that other parts of the system own comes from; absent sources read as "none". */
export interface EvidenceSources {
  /** Review decisions per action type (parallel phase, `agentctl review`); none recorded yet here. */
  readonly agreement?: (tenantId: string) => Promise<Readonly<Record<string, AgreementTally>>>;
  /** SES identities, listed when the tenant names no From domain; absent on a local data dir. */
  readonly email?: EmailSetupInspector;
  /** DKIM/SPF/DMARC of one sending domain (SES + DNS on AWS, the identity registry locally). */
  readonly domainHealth?: DomainHealthCheck;
  /** The sending domain to check (`--identity`); else the tenant's From domain, else every SES domain identity. */
  readonly identity?: string;
}

/**
 * Gathers a tenant's graduation evidence from what is stored today: ladder changes and canary
 * results in the audit trail, deliverability counters over the last 14 days, the sending pause,
 * DKIM and DMARC of the sending domain (`domainHealthCheck`, also on a local data dir), and the review tally from `sources.agreement`.
 */
export async function gatherEvidence(
  context: Pick<OperatorContext, 'repos' | 'table' | 'local'>,
  settings: TenantSettings,
  now: Date,
  sources: EvidenceSources = {},
): Promise<GraduationEvidence> {
  const { tenantId } = settings;
  const table = { ...context.table, clock: new SystemClock() };
  const since = (ladder: Ladder) => lastChange(context, tenantId, ladder, now, settings.createdAt);
  const from = localDateKey(
    new Date(now.getTime() - (DELIVERABILITY_DAYS - 1) * 86_400_000),
    settings.timeZone,
  );
  const [phaseSince, sendModeSince, canary, stats, state, agreement, identity] = await Promise.all([
    since('rollout'),
    since('send-mode'),
    canaryEvidence(context.repos.audits, now),
    new RateCounterRepository(table).stats(tenantId, from, localDateKey(now, settings.timeZone)),
    new SendingStateRepository(table).get(tenantId),
    sources.agreement ? sources.agreement(tenantId) : Promise.resolve({}),
    identityChecks(context.local, settings, sources),
  ]);
  return {
    phase: settings.rollout?.phase ?? PHASE_WHEN_UNSET,
    sendMode: settings.sendMode ?? SEND_MODE_WHEN_UNSET,
    phaseSince,
    sendModeSince,
    agreement,
    ...canary,
    ...identity,
    deliverability: { sends: stats.sends, bounces: stats.bounces, complaints: stats.complaints },
    ...(state.paused ? { sendingPaused: state.paused.reason } : {}),
  };
}

/** The instant of the last recorded move on `ladder`, else the tenant's creation. */
async function lastChange(
  context: Pick<OperatorContext, 'repos'>,
  tenantId: string,
  ladder: Ladder,
  now: Date,
  createdAt: string,
): Promise<string> {
  const records = await context.repos.audits.listOperatorRecords(
    tenantId,
    'ladder_change',
    new Date(now.getTime() - 365 * 86_400_000),
  );
  const last = records.filter((record) => record.detail['ladder'] === ladder).at(-1);
  return last?.at ?? createdAt;
}

async function identityChecks(
  local: boolean,
  settings: TenantSettings,
  sources: EvidenceSources,
): Promise<{ dkim: IdentityCheck; dmarc: IdentityCheck; identityNote?: string }> {
  if (!sources.domainHealth)
    return {
      dkim: 'unknown',
      dmarc: 'unknown',
      identityNote: local ? 'no identity registry for this data dir' : 'no SES access',
    };
  const own = sources.identity ?? settings.sending?.fromAddress;
  const domains = own
    ? [domainOf(own)]
    : sources.email
      ? (await sources.email.identities())
          .filter((identity) => identity.type === 'DOMAIN')
          .map((identity) => domainOf(identity.name))
      : [];
  if (domains.length === 0)
    return {
      dkim: 'unknown',
      dmarc: 'unknown',
      identityNote: 'no sending domain to check (set sending.fromAddress or pass --identity)',
    };
  const reports = await Promise.all(domains.map((domain) => sources.domainHealth!(domain)));
  const verdict = (name: 'dkim' | 'dmarc'): IdentityCheck => {
    const statuses = reports.map(
      (report) => report.checks.find((check) => check.name === name)!.status,
    );
    return statuses.includes('fail') ? 'fail' : statuses.includes('unknown') ? 'unknown' : 'pass';
  };
  const unread = reports
    .flatMap((report) => report.checks)
    .filter((check) => check.name !== 'spf' && check.status !== 'pass');
  return {
    dkim: verdict('dkim'),
    dmarc: verdict('dmarc'),
    ...(unread.length > 0 ? { identityNote: unread.map((check) => check.detail).join('; ') } : {}),
  };
}
