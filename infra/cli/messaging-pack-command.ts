import { readFile } from 'node:fs/promises';
import { ValidationError } from '../../shared/errors.js';
import { DEFAULT_MESSAGING_PACK } from '../../shared/domain/drafting/messaging-pack.js';
import type { CommandIo } from './main.js';
import { openOperatorContext, type OperatorTarget } from './operator-context.js';

/** Options of `agentctl messaging-pack`. */
export interface MessagingPackOptions {
  readonly file?: string;
  readonly json?: boolean;
}

/**
 * `agentctl messaging-pack show|set TENANT [--file F]`: prints a tenant's messaging pack (the
 * default one when none is stored) or validates and stores the pack in F. A bad file exits 2
 * naming the field (`pack.forbiddenClaims.0`); nothing is stored. An unknown tenant exits 2.
 */
export async function runMessagingPackCommand(
  action: 'show' | 'set',
  tenantId: string,
  options: MessagingPackOptions,
  target: OperatorTarget,
  io: CommandIo,
): Promise<number> {
  let input: unknown;
  if (action === 'set') {
    if (!options.file) throw new ValidationError('--file', 'is required for messaging-pack set');
    const text = await readFile(options.file, 'utf8').catch(() => {
      throw new ValidationError('--file', `${options.file} cannot be read`);
    });
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new ValidationError('--file', `not valid JSON: ${(error as Error).message}`);
    }
  }
  const context = await openOperatorContext(target);
  try {
    await context.repos.tenants.require(tenantId);
    const stored =
      action === 'set'
        ? await context.repos.messagingPacks.put(tenantId, input, process.env['USER'] ?? 'agentctl')
        : await context.repos.messagingPacks.get(tenantId);
    const view = {
      tenantId,
      stored: stored !== undefined,
      ...(stored?.updatedAt ? { updatedAt: stored.updatedAt } : {}),
      ...(stored?.updatedBy ? { updatedBy: stored.updatedBy } : {}),
      pack: stored?.pack ?? DEFAULT_MESSAGING_PACK,
    };
    if (options.json) {
      io.out.write(`${JSON.stringify(view, null, 2)}\n`);
      return 0;
    }
    const { pack } = view;
    io.out.write(
      [
        `messaging pack of ${tenantId}: ${view.stored ? `stored${view.updatedAt ? ` ${view.updatedAt}` : ''}${view.updatedBy ? ` by ${view.updatedBy}` : ''}` : 'none stored (the default pack applies)'} — ${context.target}`,
        `  tone: ${pack.tone}`,
        `  templates: ${Object.keys(pack.templates).join(', ') || '(built-in check_in, follow_up)'}`,
        `  forbidden claims: ${pack.forbiddenClaims.join('; ') || '(none)'}`,
        `  key messages: ${pack.keyMessages.length}`,
        `  do: ${pack.personalization.do.join('; ') || '(none)'}`,
        `  don't: ${pack.personalization.dont.join('; ') || '(none)'}`,
        `  footer: ${pack.requiredFooter || '(none)'}`,
        `  length: ${pack.length.minWords}-${pack.length.maxWords} words, subject ≤ ${pack.length.maxSubjectChars} characters`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await context.close();
  }
}
