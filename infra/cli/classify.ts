import { readFile } from 'node:fs/promises';
import { analyseMessage, type MessageAnalysis } from '../../shared/domain/ingest/analyse.js';
import { MalformedMessageError } from '../../shared/domain/ingest/mime.js';

/** One file's result as `classify --json` prints it. */
export interface ClassifyResult {
  readonly file: string;
  /** The class, or `malformed` / `unreadable`. */
  readonly class: string;
  readonly error?: string;
  readonly analysis?: MessageAnalysis;
}

/**
 * `agentctl classify FILE... [--json] [--own-domain D1,D2]`: runs the ingest pipeline's
 * parse → classify → extract (`analyseMessage`, the same function the ingest Lambda calls) on each
 * file and prints the class, bounce recipients with status and normalised reason, the request the
 * Guardrails classifier found, and the extracted contact. `--own-domain` names domains whose
 * Message-IDs are ours (SES's always are), for reply detection.
 *
 * Exit code: 2 when a file cannot be read, 1 when a file is not a usable message, else 0.
 */
export async function runClassifyCommand(
  files: readonly string[],
  options: { json: boolean; ownDomains: readonly string[] },
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const results: ClassifyResult[] = [];
  for (const file of files) {
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      results.push({ file, class: 'unreadable', error: `cannot read ${file} (${code})` });
      continue;
    }
    try {
      const analysis = await analyseMessage(raw, { ownDomains: options.ownDomains });
      results.push({ file, class: analysis.classification.class, analysis });
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) throw error;
      results.push({ file, class: 'malformed', error: error.message });
    }
  }

  if (options.json) {
    out.write(`${JSON.stringify(results.map(toJson), null, 2)}\n`);
  } else {
    for (const result of results) out.write(`${formatResult(result)}\n`);
  }
  for (const result of results) if (result.error) err.write(`${result.file}: ${result.error}\n`);
  if (results.some((result) => result.class === 'unreadable')) return 2;
  if (results.some((result) => result.class === 'malformed')) return 1;
  return 0;
}

function toJson(result: ClassifyResult): Record<string, unknown> {
  if (!result.analysis) return { file: result.file, class: result.class, error: result.error };
  const { classification, contacts, message, references } = result.analysis;
  return {
    file: result.file,
    class: classification.class,
    signals: classification.signals,
    replyToOurSend: classification.replyToOurSend,
    repliesTo: classification.repliesTo,
    bulk: classification.bulk,
    ...(classification.bounce
      ? {
          bounce: {
            source: classification.bounce.source,
            delayOnly: classification.bounce.delayOnly,
            recipients: classification.bounce.recipients,
          },
        }
      : {}),
    automated: classification.automated,
    ...(classification.feedback ? { feedback: classification.feedback } : {}),
    ...(classification.autoReply ? { autoReply: classification.autoReply } : {}),
    ...(classification.autoReplyKind ? { autoReplyKind: classification.autoReplyKind } : {}),
    ...(classification.unsubscribe ? { unsubscribe: classification.unsubscribe } : {}),
    ...(classification.request ? { request: classification.request } : {}),
    ...(classification.complaint ? { complaint: classification.complaint } : {}),
    contact: contacts.sender ?? null,
    others: contacts.others,
    references,
    message: {
      messageId: message.messageId,
      from: message.from,
      subject: message.subject,
      date: message.date,
      bodySource: message.bodySource,
      sizeBytes: message.sizeBytes,
      textChars: message.textChars,
      textTruncated: message.textTruncated,
      attachments: message.attachments,
    },
  };
}

function formatResult(result: ClassifyResult): string {
  const lines = [`${result.file}`];
  if (!result.analysis) {
    lines.push(`  class:    ${result.class}`, `  error:    ${result.error ?? ''}`);
    return lines.join('\n');
  }
  const { classification: c, contacts, message, references } = result.analysis;
  lines.push(
    `  class:    ${c.class}${c.signals.length > 1 ? `  (also: ${c.signals.slice(1).join(', ')})` : ''}${
      c.replyToOurSend ? '  [reply to our send]' : ''
    }${c.bulk ? '  [bulk]' : ''}`,
  );
  for (const recipient of c.bounce?.recipients ?? []) {
    lines.push(
      `  bounce:   ${recipient.email}  ${recipient.action} ${recipient.status ?? '(no status)'}  ${recipient.reason} (${recipient.bounceType})  ${recipient.sisimaiReason} → ${recipient.agentAction}`,
    );
  }
  if (c.bounce && c.bounce.recipients.length === 0)
    lines.push('  bounce:   no failed recipient found');
  if (c.feedback)
    lines.push(
      `  feedback: ${c.feedback.feedbackType}${c.feedback.recipients.length > 0 ? ` for ${c.feedback.recipients.join(', ')}` : ''}`,
    );
  if (c.autoReply)
    lines.push(`  auto:     ${c.autoReply}${c.autoReplyKind ? ` (${c.autoReplyKind})` : ''}`);
  if (c.unsubscribe) lines.push(`  stop:     ${c.unsubscribe}`);
  if (c.request?.kind === 'explicit_request')
    lines.push(
      `  request:  ${c.request.requestType ?? 'task'} (${c.request.rule}): "${c.request.matchedText ?? ''}"`,
    );
  else if (c.request) lines.push(`  request:  none (${c.request.rule})`);
  if (c.complaint)
    lines.push(
      `  signal:   ${c.complaint.complaint ? 'complaint' : 'urgency'} ("${c.complaint.matched}")`,
    );
  const sender = contacts.sender;
  lines.push(
    sender
      ? `  contact:  ${[
          sender.name,
          `<${sender.email}>`,
          sender.title,
          sender.company,
          sender.phone,
        ]
          .filter(Boolean)
          .join(' · ')}${sender.source === 'reply_to' ? ' (from Reply-To)' : ''}`
      : '  contact:  —',
  );
  if (contacts.others.length > 0)
    lines.push(
      `  others:   ${contacts.others.map((o) => (o.name ? `${o.name} <${o.address}>` : o.address)).join(', ')}`,
    );
  const linked = [...references.orderIds, ...references.dealIds, ...references.bidIds];
  if (linked.length > 0) lines.push(`  mentions: ${linked.join(', ')}`);
  for (const attachment of message.attachments)
    lines.push(
      `  attached: ${attachment.name ?? '(unnamed)'}  ${attachment.type}  ${attachment.size} bytes`,
    );
  return lines.join('\n');
}
