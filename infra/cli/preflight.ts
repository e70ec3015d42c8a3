import { domainOf, type DomainCheck } from '../../shared/domain/domain-health.js';
import type { DomainHealthCheck } from '../../shared/sending/domain-health-check.js';
import type { RolloutPhase } from '../../shared/domain/rollout/phase.js';
import { buildReport, type CheckReport, type CheckResult } from './check-report.js';
import type {
  AlarmTopicInspector,
  EmailIdentityStatus,
  EmailSetupInspector,
} from './cloud-inspectors.js';
import { gmailConnectionFix, type GmailConnectionSource } from './gmail-connection.js';
import type { OperatorContext } from './operator-context.js';

/** What `agentctl preflight` reads. Inspectors left out are reported as SKIP with the reason. */
export interface PreflightDeps {
  readonly context: Pick<OperatorContext, 'target' | 'repos' | 'killSwitch' | 'local' | 'clock'>;
  /** Tenants' Gmail connection status (issue 6's `connectionStatus`). */
  readonly gmail: GmailConnectionSource;
  /** SES identities and configuration sets; absent locally. */
  readonly email?: EmailSetupInspector;
  /** The alarm topic's subscriptions; absent locally. */
  readonly alarmTopic?: AlarmTopicInspector;
  /** DKIM, SPF and DMARC per sending domain (SES + DNS on AWS, the identity registry locally). */
  readonly domainHealth?: DomainHealthCheck;
  /** Whether the drafting model answers (Bedrock model access); absent locally or without `--bedrock-model`. */
  readonly model?: ModelAccessInspector;
}

/** What a one-token call to the drafting model proved. */
export type ModelAccess = 'available' | 'access_denied' | 'not_found' | 'throttled' | 'error';

/** Checks that the stage's Bedrock model can be invoked with the caller's credentials. */
export interface ModelAccessInspector {
  readonly modelId: string;
  check(): Promise<{ readonly access: ModelAccess; readonly detail?: string }>;
}

/** Options of {@link checkPreflight}. */
export interface PreflightOptions {
  /** The sending domain (or address) to check in SES and DNS; every SES domain identity when absent. */
  readonly identity?: string;
  /** The configuration set the sender uses; any set with a bounce+complaint destination when absent. */
  readonly configurationSet?: string;
  readonly now?: () => Date;
}

/** SES event types the bounce/complaint handling needs from the configuration set. */
const REQUIRED_EVENTS = ['BOUNCE', 'COMPLAINT'] as const;

/**
 * `agentctl preflight`: the go-live checklist (seeds/go-live-runbook.md Part 4) as code. SES
 * identity verified with DKIM; per sending domain (`--identity`, else the verified SES domains and
 * every enabled tenant's From domain) DKIM, SPF through a custom MAIL FROM and DMARC; a configuration set with a bounce/complaint event
 * destination, the kill switch readable, every enabled tenant's Gmail connection and send mode,
 * and a confirmed subscription on the alarm topic. Each line is PASS/WARN/FAIL (SKIP where the
 * target cannot be checked) with the fix; `not_ready` (exit 1) when a line FAILs.
 */
export async function checkPreflight(
  deps: PreflightDeps,
  options: PreflightOptions = {},
): Promise<CheckReport> {
  const { context } = deps;
  const checks: CheckResult[] = [];
  const localSkip = 'not checkable on a local data dir';

  // 1. SES identity verified with DKIM.
  let domains: string[] = options.identity ? [domainOf(options.identity)] : [];
  if (!deps.email) {
    checks.push({
      id: 'ses-identity',
      status: 'SKIP',
      summary: `SES identity: ${context.local ? `${localSkip} (the local SES emulator accepts any sender; the sending-domain lines read the local identity registry)` : 'no SES access'}`,
    });
  } else {
    const identities = await deps.email.identities();
    const wanted = options.identity
      ? identities.filter(
          (identity) => identity.name === options.identity || identity.name === domains[0],
        )
      : identities.filter((identity) => identity.type === 'DOMAIN');
    const good = wanted.filter(isReady);
    if (!options.identity) domains = good.map((identity) => identity.name);
    checks.push(
      good.length > 0
        ? {
            id: 'ses-identity',
            status: 'PASS',
            summary: `SES identity verified with DKIM: ${good.map((identity) => identity.name).join(', ')}`,
          }
        : {
            id: 'ses-identity',
            status: 'FAIL',
            summary:
              wanted.length === 0
                ? `SES identity: ${options.identity ?? 'no domain identity'} not found in SES`
                : `SES identity not ready: ${wanted.map((identity) => `${identity.name} (verified ${identity.verified}, DKIM ${identity.dkim})`).join(', ')}`,
            fix: 'create the domain identity in SES (Easy DKIM) and publish its three DKIM CNAME records; SES verifies within 72 h (docs/RUNBOOK.md#ses-sending-issues)',
          },
    );
  }

  // 2. Each sending domain: DKIM, SPF through a custom MAIL FROM, DMARC.
  const tenantIds: string[] = [];
  for await (const tenantId of context.repos.tenants.allEnabled()) tenantIds.push(tenantId);
  const settingsOf = new Map(
    await Promise.all(
      tenantIds.map(async (id) => [id, await context.repos.tenants.get(id)] as const),
    ),
  );
  if (!options.identity)
    for (const settings of settingsOf.values())
      if (settings?.sending?.fromAddress) domains.push(domainOf(settings.sending.fromAddress));
  checks.push(...(await domainChecks(deps.domainHealth, [...new Set(domains)], context.local)));

  // 3. Configuration set with an event destination for bounces and complaints.
  if (!deps.email) {
    checks.push({
      id: 'ses-configuration-set',
      status: 'SKIP',
      summary: `SES configuration set: ${localSkip}`,
    });
  } else {
    const sets = (await deps.email.configurationSets()).filter(
      (set) => !options.configurationSet || set.name === options.configurationSet,
    );
    const complete = sets.filter((set) =>
      set.destinations.some(
        (destination) =>
          destination.enabled &&
          REQUIRED_EVENTS.every((event) => destination.events.includes(event)),
      ),
    );
    checks.push(
      complete.length > 0
        ? {
            id: 'ses-configuration-set',
            status: 'PASS',
            summary: `SES configuration set with bounce+complaint event destination: ${complete.map((set) => set.name).join(', ')}`,
          }
        : {
            id: 'ses-configuration-set',
            status: 'FAIL',
            summary: `SES configuration set: ${sets.length === 0 ? `${options.configurationSet ?? 'none'} found` : `no enabled event destination with ${REQUIRED_EVENTS.join('+')} in ${sets.map((set) => set.name).join(', ')}`}`,
            fix: 'deploy the stack with the sending capability (it creates the configuration set and its event destination), or add an enabled destination for BOUNCE and COMPLAINT',
          },
    );
  }

  // 4. Kill switch readable.
  const killSwitch = await context.killSwitch.read();
  checks.push(
    'unreadable' in killSwitch
      ? {
          id: 'kill-switch',
          status: 'FAIL',
          summary: `kill switch unreadable: ${killSwitch.unreadable}`,
          fix: 'agentctl kill-switch off (creates the parameter); check the parameter name (--app/--stage) and SSM permissions',
        }
      : killSwitch.on
        ? {
            id: 'kill-switch',
            status: 'WARN',
            summary: `kill switch readable and ON${killSwitch.reason ? ` (${killSwitch.reason})` : ''}: the agent will not run`,
            fix: 'agentctl kill-switch off when ready to go live',
          }
        : { id: 'kill-switch', status: 'PASS', summary: 'kill switch readable: off' },
  );

  // 5 and 7. Every enabled tenant: Gmail connection and send mode.
  if (tenantIds.length === 0)
    checks.push({
      id: 'tenants',
      status: 'WARN',
      summary: 'no enabled tenants',
      fix: 'agentctl tenant enable ID for the first (canary) tenant',
    });
  for (const tenantId of tenantIds) {
    const status = await deps.gmail.connectionStatus(tenantId);
    checks.push(
      status === 'connected'
        ? { id: `gmail:${tenantId}`, status: 'PASS', summary: `Gmail ${tenantId}: connected` }
        : {
            id: `gmail:${tenantId}`,
            status: 'FAIL',
            summary: `Gmail ${tenantId}: ${status.replace('_', ' ')}`,
            fix: gmailConnectionFix(tenantId, status),
          },
    );
    const settings = settingsOf.get(tenantId);
    const mode = settings?.sendMode;
    checks.push(
      !mode
        ? {
            id: `send-mode:${tenantId}`,
            status: 'WARN',
            summary: `send mode ${tenantId}: not set, inherits the stage's SEND_MODE (dry_run unless deployed with -c sendMode=…)`,
            fix: "set the tenant's sendMode explicitly and follow the rollout ladder (docs/RUNBOOK.md#rollout-ladder)",
          }
        : mode === 'dry_run' || mode === 'internal_only'
          ? {
              id: `send-mode:${tenantId}`,
              status: 'WARN',
              summary: `send mode ${tenantId}: ${mode} (no email reaches customers)`,
              fix: 'advance to limited_live when its graduation criteria are met (docs/RUNBOOK.md#rollout-ladder)',
            }
          : {
              id: `send-mode:${tenantId}`,
              status: 'PASS',
              summary: `send mode ${tenantId}: ${mode}`,
            },
    );
    checks.push(rolloutPhaseCheck(tenantId, settings?.rollout?.phase));
  }

  // 6. Alarm topic has a subscription.
  if (!deps.alarmTopic) {
    checks.push({
      id: 'alarm-topic',
      status: 'SKIP',
      summary: `alarm topic: ${localSkip} (no SNS locally)`,
    });
  } else {
    const topic = await deps.alarmTopic.subscriptions();
    checks.push(
      !topic
        ? {
            id: 'alarm-topic',
            status: 'FAIL',
            summary: 'alarm topic: not found (SNS has no topic with this ARN)',
            fix: 'redeploy the stack (its output AlarmTopicArn names the topic), or pass --alarm-topic ARN of the existing topic',
          }
        : topic.confirmed > 0
          ? {
              id: 'alarm-topic',
              status: 'PASS',
              summary: `alarm topic: ${topic.confirmed} confirmed subscription(s)`,
            }
          : {
              id: 'alarm-topic',
              status: topic.pending > 0 ? 'WARN' : 'FAIL',
              summary: `alarm topic: ${topic.pending > 0 ? `${topic.pending} subscription(s) pending confirmation` : 'no subscription'}: alarms page nobody`,
              fix:
                topic.pending > 0
                  ? 'click the confirmation link SNS emailed to the on-call address'
                  : 'deploy with -c alarmEmail=oncall@example.com, or subscribe your paging tool to the topic',
            },
    );
  }

  // 8. The drafting model answers (Bedrock model access granted, IAM allows InvokeModel).
  if (!deps.model) {
    checks.push({
      id: 'bedrock-model',
      status: 'SKIP',
      summary: `Bedrock model: ${context.local ? localSkip : 'not checked'} (pass --bedrock-model ID when LLM_MODE is bedrock)`,
    });
  } else {
    const { access, detail } = await deps.model.check();
    checks.push(
      access === 'available'
        ? {
            id: 'bedrock-model',
            status: 'PASS',
            summary: `Bedrock model ${deps.model.modelId}: answers`,
          }
        : {
            id: 'bedrock-model',
            status: access === 'throttled' ? 'WARN' : 'FAIL',
            summary: `Bedrock model ${deps.model.modelId}: ${access.replace('_', ' ')}${detail ? ` (${detail})` : ''}`,
            fix:
              access === 'access_denied'
                ? 'request model access in the Bedrock console for this region, and check the Act role allows bedrock:InvokeModel on it'
                : access === 'not_found'
                  ? 'deploy with -c bedrockModelId=<a model id offered in this region>'
                  : 'retry; drafts fall back to templates while the model is unavailable',
          },
    );
  }

  return buildReport(
    'preflight',
    context.target,
    (options.now ?? (() => context.clock.now()))(),
    checks,
  );
}

function isReady(identity: EmailIdentityStatus): boolean {
  return identity.verified && identity.dkim === 'SUCCESS';
}

/** Verdicts shown per line: a check whose evidence could not be read warns (check by hand). */
const LINE_STATUS: Record<DomainCheck['status'], CheckResult['status']> = {
  pass: 'PASS',
  fail: 'FAIL',
  unknown: 'WARN',
};

/** Three lines per sending domain (`dkim:`, `spf:`, `dmarc:<domain>`), or one SKIP saying why none. */
async function domainChecks(
  health: DomainHealthCheck | undefined,
  domains: readonly string[],
  local: boolean,
): Promise<CheckResult[]> {
  if (!health || domains.length === 0)
    return [
      {
        id: 'sending-domains',
        status: 'SKIP',
        summary: !health
          ? 'sending domains: DKIM/SPF/DMARC not checked (no SES or DNS access)'
          : local
            ? 'sending domains: none to check (no enabled tenant sets sending.fromAddress; pass --identity DOMAIN)'
            : 'sending domains: no verified SES domain identity and no tenant fromAddress to check',
      },
    ];
  const reports = await Promise.all(domains.map((domain) => health(domain)));
  return reports.flatMap((report) =>
    report.checks.map((check) => ({
      id: `${check.name}:${report.domain}`,
      status: LINE_STATUS[check.status],
      summary: check.detail,
      ...(check.fix && check.status !== 'pass' ? { fix: check.fix } : {}),
    })),
  );
}

/**
 * The tenant's rollout phase (who decides): PASS naming it when set; WARN when unset, which
 * means autonomous (a tenant from before phases), while new tenants start in shadow.
 */
function rolloutPhaseCheck(tenantId: string, phase: RolloutPhase | undefined): CheckResult {
  const id = `rollout-phase:${tenantId}`;
  if (!phase)
    return {
      id,
      status: 'WARN',
      summary: `rollout phase ${tenantId}: not set, so autonomous (the agent decides alone)`,
      fix: `onboard in shadow and advance one phase at a time (agentctl rollout advance ${tenantId}; docs/RUNBOOK.md#rollout-phases)`,
    };
  const meaning: Record<RolloutPhase, string> = {
    shadow: 'actions recorded, nothing sent or created',
    parallel: 'actions recorded, humans review them',
    assisted: 'every action waits for approval',
    autonomous: 'the agent decides alone',
  };
  return { id, status: 'PASS', summary: `rollout phase ${tenantId}: ${phase} (${meaning[phase]})` };
}
