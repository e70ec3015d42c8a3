import { ValidationError } from '../../shared/errors.js';
import { rolloutPhaseOf } from '../../shared/domain/rollout/phase.js';
import type { Proposal } from '../../shared/domain/rollout/proposal.js';
import {
  decideOnApproval,
  reviewProposal,
  type DecisionResult,
} from '../../shared/rollout/decide.js';
import type { CommandIo } from './main.js';
import {
  openOperatorContext,
  type OperatorContext,
  type OperatorTarget,
} from './operator-context.js';

/** Options of `agentctl approvals` and `agentctl review`. */
export interface RolloutCliOptions {
  readonly json?: boolean;
  readonly note?: string;
  readonly by?: string;
  readonly at?: Date;
  readonly status?: string;
  readonly subject?: string;
  readonly text?: string;
  readonly template?: string;
}

const ID_PATTERN = /^([a-z0-9][a-z0-9_-]{0,62})\/(p-[0-9a-f]{12})$/;

/** Splits `TENANT/p-…` (as `approvals list` prints it); a malformed one names the argument. */
export function parseProposalRef(ref: string): { tenantId: string; proposalId: string } {
  const match = ID_PATTERN.exec(ref);
  if (!match)
    throw new ValidationError(
      'ID',
      `expected TENANT/p-<12 hex digits> as "agentctl approvals list" prints it, got ${JSON.stringify(ref)}`,
    );
  return { tenantId: match[1]!, proposalId: match[2]! };
}

/**
 * `agentctl approvals list [TENANT] | show ID | approve ID | reject ID | edit ID`: lists open
 * approvals (all enabled tenants when none is named; `--status` for others), or decides one.
 * A refused decision (already decided, expired, tenant not assisted) exits 1 and says why.
 */
export async function runApprovalsCommand(
  action: 'list' | 'show' | 'approve' | 'reject' | 'edit',
  ref: string | undefined,
  options: RolloutCliOptions,
  target: OperatorTarget,
  io: CommandIo,
): Promise<number> {
  if (action !== 'list' && !ref)
    throw new ValidationError('ID', `approvals ${action} needs an ID (TENANT/p-…)`);
  const context = await openOperatorContext(target);
  try {
    if (action === 'list') return await list(context, ref, options, io);
    const { tenantId, proposalId } = parseProposalRef(ref!);
    if (action === 'show') {
      const proposal = await context.repos.proposals.get(tenantId, proposalId);
      if (!proposal)
        throw new ValidationError('ID', `no proposal ${proposalId} for tenant ${tenantId}`);
      io.out.write(
        options.json ? `${JSON.stringify(proposal, null, 2)}\n` : describe(proposal, true),
      );
      return 0;
    }
    const edits = Object.fromEntries(
      (['subject', 'text', 'template'] as const).flatMap((field) =>
        options[field] !== undefined ? [[field, options[field]!]] : [],
      ),
    );
    const result = await decideOnApproval(context.repos, tenantId, proposalId, action, {
      by: decider(options),
      now: options.at ?? context.clock.now(),
      ...(options.note ? { note: options.note } : {}),
      ...(action === 'edit' ? { edits } : {}),
    });
    return report(result, options, io);
  } finally {
    await context.close();
  }
}

/** `agentctl review ID agree|disagree [--note]`: a parallel-phase reviewer's decision, audited. */
export async function runReviewCommand(
  ref: string,
  decision: 'agree' | 'disagree',
  options: RolloutCliOptions,
  target: OperatorTarget,
  io: CommandIo,
): Promise<number> {
  const { tenantId, proposalId } = parseProposalRef(ref);
  const context = await openOperatorContext(target);
  try {
    const result = await reviewProposal(context.repos, tenantId, proposalId, decision, {
      by: decider(options),
      now: options.at ?? context.clock.now(),
      ...(options.note ? { note: options.note } : {}),
    });
    return report(result, options, io);
  } finally {
    await context.close();
  }
}

async function list(
  context: OperatorContext,
  tenantId: string | undefined,
  options: RolloutCliOptions,
  io: CommandIo,
): Promise<number> {
  const tenants: string[] = [];
  if (tenantId) tenants.push((await context.repos.tenants.require(tenantId)).tenantId);
  else for await (const id of context.repos.tenants.allEnabled()) tenants.push(id);
  const statuses = options.status
    ? options.status.split(',')
    : ['awaiting', 'approved', 'executing'];
  const rows: (Proposal & { tenantPhase: string })[] = [];
  for (const id of tenants) {
    const phase = rolloutPhaseOf(await context.repos.tenants.require(id));
    for (const proposal of await context.repos.proposals.list(id))
      if (statuses.includes(proposal.status)) rows.push({ ...proposal, tenantPhase: phase });
  }
  rows.sort((a, b) => (a.expiresAt ?? a.requestedAt).localeCompare(b.expiresAt ?? b.requestedAt));
  if (options.json) {
    io.out.write(
      `${JSON.stringify(
        rows.map((row) => ({ id: `${row.tenantId}/${row.proposalId}`, ...row })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  io.out.write(`proposals (${statuses.join(', ')}) — ${context.target}:\n`);
  for (const row of rows) io.out.write(describe(row, false));
  if (rows.length === 0) io.out.write('  (none)\n');
  return 0;
}

function describe(proposal: Proposal, full: boolean): string {
  const lines = [
    `  ${proposal.tenantId}/${proposal.proposalId}  ${proposal.status.padEnd(10)} ${proposal.actionType.padEnd(12)} ${proposal.to ?? proposal.card.target.contactId ?? proposal.card.target.orderId ?? ''}${proposal.expiresAt && proposal.status === 'awaiting' ? `  expires ${proposal.expiresAt}` : ''}${proposal.review ? `  review: ${proposal.review.decision}` : ''}`,
  ];
  if (full) {
    lines.push(
      `    why: ${proposal.card.reason}`,
      `    phase: ${proposal.phase}, request #${proposal.generation}`,
    );
    if (proposal.touchKey) lines.push(`    touch: ${proposal.touchKey}`);
    for (const [field, value] of Object.entries(proposal.card.payload))
      lines.push(`    ${field}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    for (const event of proposal.history)
      lines.push(
        `    ${event.at} ${event.action} by ${event.by}${event.note ? ` — ${event.note}` : ''}${event.edits?.length ? ` (edited ${event.edits.map((e) => e.field).join(', ')})` : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

function report(result: DecisionResult, options: RolloutCliOptions, io: CommandIo): number {
  const { proposal } = result;
  if (options.json)
    io.out.write(
      `${JSON.stringify({ id: `${proposal.tenantId}/${proposal.proposalId}`, changed: result.changed, status: proposal.status, ...(result.refusal ? { refusal: result.refusal } : {}) }, null, 2)}\n`,
    );
  else if (result.refusal) io.err.write(`refused: ${result.refusal}\n`);
  else
    io.out.write(
      `${proposal.tenantId}/${proposal.proposalId}: ${proposal.status}${proposal.status === 'approved' ? ' — the next cycle executes it' : ''}\n`,
    );
  return result.refusal ? 1 : 0;
}

function decider(options: RolloutCliOptions): string {
  return options.by ?? process.env['USER'] ?? 'agentctl';
}
