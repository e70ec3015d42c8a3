import { agreementByActionType } from '../../shared/domain/rollout/agreement.js';
import {
  decidePhaseAdvance,
  decideSendModeAdvance,
  nextPhase,
  nextSendMode,
  type GraduationDecision,
  type GraduationEvidence,
  type Ladder,
} from '../../shared/domain/rollout/graduation.js';
import type { RolloutPhase } from '../../shared/domain/rollout/phase.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import { ValidationError } from '../../shared/errors.js';
import {
  awsInspectorClients,
  operatorDomainHealth,
  sesEmailSetupInspector,
} from './cloud-inspectors.js';
import type { CommandIo } from './main.js';
import {
  openOperatorContext,
  type OperatorContext,
  type OperatorTarget,
} from './operator-context.js';
import {
  gatherEvidence,
  PHASE_WHEN_UNSET,
  SEND_MODE_WHEN_UNSET,
  type EvidenceSources,
} from './rollout-evidence.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/storage/keys.js';
import { isConditionalCheckFailed } from '../../shared/storage/items.js';

/** Options of `rollout` and `send-mode` (`status` reads only `json` and `identity`). */
export interface LadderOptions {
  readonly to?: string;
  readonly force?: boolean;
  readonly reason?: string;
  readonly identity?: string;
  readonly json?: boolean;
}

/** Test seam: evidence sources the command would otherwise build (agreement from the review records). */
export interface LadderOverrides {
  readonly sources?: EvidenceSources;
  readonly now?: () => Date;
}

/** Where one ladder stands and what moving one rung up would need. */
interface LadderStatus {
  readonly ladder: Ladder;
  readonly current: string;
  readonly since: string;
  /** The check of the next rung; absent at the top. */
  readonly next?: GraduationDecision;
}

/**
 * `status`: both ladders of a tenant (rollout phase and send mode), each with the criteria of its
 * next rung; exit 0. `advance`: moves `ladder` to `--to` (default the next rung) when every
 * criterion passes, exit 0; refuses with each failing criterion named, exit 1; `--force --reason`
 * moves anyway and audits the override with the failing criteria. A move down is always allowed.
 * Every move is recorded in the tenant's audit trail (`ladder_change`).
 */
export async function runLadderCommand(
  ladder: Ladder,
  action: 'status' | 'advance',
  tenantId: string,
  options: LadderOptions,
  target: OperatorTarget,
  io: CommandIo,
  overrides: LadderOverrides = {},
): Promise<number> {
  if (options.force && !options.reason?.trim())
    throw new ValidationError('--reason', 'required with --force (it is audited)');
  const to = options.to === undefined ? undefined : parseRung(ladder, options.to);
  const context = await openOperatorContext(target);
  const clients = context.local || overrides.sources ? undefined : awsInspectorClients();
  try {
    const now = (overrides.now ?? (() => context.clock.now()))();
    const settings = await context.repos.tenants.require(tenantId);
    const domainHealth = overrides.sources
      ? undefined
      : await operatorDomainHealth(target, clients);
    const sources: EvidenceSources = overrides.sources ?? {
      ...(clients ? { email: sesEmailSetupInspector(clients.ses) } : {}),
      ...(domainHealth ? { domainHealth } : {}),
      ...(options.identity ? { identity: options.identity } : {}),
      agreement: async (id) => agreementByActionType(await context.repos.proposals.list(id)),
    };
    const evidence = await gatherEvidence(context, settings, now, sources);
    if (action === 'status') {
      const report = {
        tenantId,
        target: context.target,
        at: now.toISOString(),
        ladders: [statusOf('rollout', evidence, now), statusOf('send-mode', evidence, now)],
      };
      io.out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      return 0;
    }
    const rung = to ?? nextRung(ladder, evidence);
    if (rung === undefined)
      throw new ValidationError(
        '--to',
        `${tenantId} is already at the top of the ${ladder} ladder`,
      );
    const decision = decide(ladder, evidence, rung, now);
    const forced = !decision.allowed && options.force === true;
    if (decision.allowed || forced) {
      await applyMove(context, tenantId, decision, {
        now,
        forced,
        ...(options.reason ? { reason: options.reason } : {}),
      });
    }
    const result = {
      tenantId,
      target: context.target,
      moved: decision.allowed || forced,
      forced,
      ...decision,
    };
    io.out.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatAdvance(result));
    return result.moved ? 0 : 1;
  } finally {
    clients?.destroy();
    await context.close();
  }
}

function parseRung(ladder: Ladder, text: string): string {
  const rungs: readonly string[] = ladder === 'rollout' ? ROLLOUT_RUNGS : SEND_MODE_RUNGS;
  if (!rungs.includes(text))
    throw new ValidationError(
      '--to',
      `expected one of ${rungs.join(', ')}, got ${JSON.stringify(text)}`,
    );
  return text;
}

const ROLLOUT_RUNGS: readonly RolloutPhase[] = ['shadow', 'parallel', 'assisted', 'autonomous'];
const SEND_MODE_RUNGS: readonly SendMode[] = [
  'dry_run',
  'internal_only',
  'limited_live',
  'production',
];

function nextRung(ladder: Ladder, evidence: GraduationEvidence): string | undefined {
  return ladder === 'rollout' ? nextPhase(evidence.phase) : nextSendMode(evidence.sendMode);
}

function decide(
  ladder: Ladder,
  evidence: GraduationEvidence,
  to: string,
  now: Date,
): GraduationDecision {
  return ladder === 'rollout'
    ? decidePhaseAdvance(evidence, to as RolloutPhase, now)
    : decideSendModeAdvance(evidence, to as SendMode, now);
}

function statusOf(ladder: Ladder, evidence: GraduationEvidence, now: Date): LadderStatus {
  const next = nextRung(ladder, evidence);
  return {
    ladder,
    current: ladder === 'rollout' ? evidence.phase : evidence.sendMode,
    since: ladder === 'rollout' ? evidence.phaseSince : evidence.sendModeSince,
    ...(next ? { next: decide(ladder, evidence, next, now) } : {}),
  };
}

/**
 * Writes the new rung into the tenant's settings with one conditional update (the rung must still
 * be the one the criteria were checked against, so a concurrent move is refused, not overwritten),
 * then the move into its audit trail.
 */
async function applyMove(
  context: OperatorContext,
  tenantId: string,
  decision: GraduationDecision,
  move: { now: Date; forced: boolean; reason?: string },
): Promise<void> {
  const rollout = decision.ladder === 'rollout';
  const unset = decision.from === (rollout ? PHASE_WHEN_UNSET : SEND_MODE_WHEN_UNSET);
  const current = rollout ? 'rollout.#phase' : 'sendMode';
  try {
    await context.table.doc.send(
      new UpdateCommand({
        TableName: context.table.tableName,
        Key: keys.tenantSettings(tenantId),
        ConditionExpression: `attribute_exists(pk) AND (${unset ? `attribute_not_exists(${rollout ? 'rollout' : 'sendMode'}) OR ` : ''}${current} = :from)`,
        UpdateExpression: rollout
          ? 'SET rollout = :rollout, updatedAt = :now'
          : 'SET sendMode = :to, updatedAt = :now',
        ExpressionAttributeValues: {
          ':from': decision.from,
          ':now': move.now.toISOString(),
          ...(rollout ? { ':rollout': { phase: decision.to } } : { ':to': decision.to }),
        },
        ...(rollout ? { ExpressionAttributeNames: { '#phase': 'phase' } } : {}),
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error))
      throw new ValidationError(
        decision.ladder,
        `${tenantId} is no longer at ${decision.from} (changed meanwhile); run the command again`,
      );
    throw error;
  }
  // A settings change is new input: the tenant's next hourly cycle runs under the new rung.
  await context.repos.wake.markDirty(tenantId, move.now);
  await context.repos.audits.append(tenantId, {
    kind: 'ladder_change',
    auditId: `${decision.ladder}.${decision.from}.${decision.to}`,
    at: move.now.toISOString(),
    actor: process.env['USER'] ?? 'agentctl',
    ...(move.reason ? { reason: move.reason } : {}),
    detail: {
      ladder: decision.ladder,
      from: decision.from,
      to: decision.to,
      direction: decision.direction,
      forced: move.forced,
      failing: decision.failing,
    },
  });
}

function formatCriteria(decision: GraduationDecision): string[] {
  return decision.criteria.map(
    (criterion) => `    ${criterion.pass ? 'PASS' : 'FAIL'}  ${criterion.id}: ${criterion.detail}`,
  );
}

function formatStatus(report: {
  tenantId: string;
  target: string;
  ladders: readonly LadderStatus[];
}): string {
  const lines = [`rollout status of ${report.tenantId} — ${report.target}`];
  for (const ladder of report.ladders) {
    lines.push('', `${ladder.ladder}: ${ladder.current} (since ${ladder.since})`);
    if (!ladder.next) {
      lines.push('  top of the ladder');
      continue;
    }
    lines.push(
      `  next: ${ladder.next.to} — ${ladder.next.allowed ? 'ready' : `not ready (${ladder.next.failing.join(', ')})`}`,
    );
    lines.push(...formatCriteria(ladder.next));
  }
  return `${lines.join('\n')}\n`;
}

function formatAdvance(
  result: GraduationDecision & {
    tenantId: string;
    target: string;
    moved: boolean;
    forced: boolean;
  },
): string {
  const head = result.moved
    ? `${result.ladder} of ${result.tenantId}: ${result.from} → ${result.to}${result.forced ? ` FORCED past ${result.failing.join(', ')} (audited)` : result.direction === 'demote' ? ' (step down, no criteria)' : ''}`
    : `refused: ${result.ladder} of ${result.tenantId} stays ${result.from}; ${result.to} needs ${result.failing.join(', ')}`;
  return `${[head, ...formatCriteria(result), `  (${result.target})`].join('\n')}\n`;
}
