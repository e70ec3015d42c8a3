/** Header facts that mark a message as machine-sent, independent of the classifier's verdict. */
export const AUTOMATION_SIGNALS = [
  'auto_submitted',
  'autoreply_header',
  'precedence',
  'report',
  'null_sender',
  'daemon_sender',
] as const;
export type AutomationSignal = (typeof AUTOMATION_SIGNALS)[number];

/**
 * The machine-sent facts a message's headers state (RFC 3834 `Auto-Submitted` other than `no`,
 * `X-Autoreply`/`X-Autorespond`, `Precedence: auto_reply|bulk|junk|list`, a `multipart/report`,
 * a null `Return-Path`, a MAILER-DAEMON/postmaster `From`). Ingest passes them on with the message
 * so the policy engine can refuse a task from such mail whatever the classifier concluded.
 */
export function automationSignals(
  headers: ReadonlyMap<string, readonly string[]>,
  fromAddress: string | undefined,
): AutomationSignal[] {
  const first = (name: string) => headers.get(name)?.[0]?.trim().toLowerCase();
  const signals: AutomationSignal[] = [];
  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted && !autoSubmitted.startsWith('no')) signals.push('auto_submitted');
  if (['x-autoreply', 'x-autorespond', 'x-autoresponder'].some((name) => headers.has(name)))
    signals.push('autoreply_header');
  if (/^(auto_reply|bulk|junk|list)\b/.test(first('precedence') ?? '')) signals.push('precedence');
  if (/^multipart\/report\b/.test(first('content-type') ?? '')) signals.push('report');
  if (/^<\s*>$/.test(first('return-path') ?? '')) signals.push('null_sender');
  if (/^(mailer-daemon|postmaster|mail-daemon)@/i.test(fromAddress ?? ''))
    signals.push('daemon_sender');
  return signals;
}
