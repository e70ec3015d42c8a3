import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';

/** One outbound email, fully rendered. */
export interface OutboundEmail {
  /** The agent tenant sending it (names its SES tenant when the deployment uses SES tenants). */
  readonly tenantId: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Extra MIME headers (`List-Unsubscribe`, `List-Unsubscribe-Post`). */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  /** Message tags; SES copies them onto every event of the message (bounce, complaint …). */
  readonly tags: readonly { readonly name: string; readonly value: string }[];
}

/** Sends email through a provider. */
export interface EmailSender {
  /** Sends one email; resolves with the provider's message id. Provider errors are thrown as-is. */
  send(email: OutboundEmail): Promise<{ readonly messageId: string }>;
}

/**
 * What a failed `SendEmail` call proves about the message (SES has no idempotency token, so only
 * an answer that proves SES did not take the message makes a retry safe):
 * - `not_accepted`: throttled (429, `TooManyRequests`, `Throttling`, `LimitExceeded`) or the
 *   connection was refused or never resolved before the request was written — retry later;
 * - `rejected`: a 4xx refusal (auth, unverified identity, missing configuration set, rejected
 *   content, paused account) — SES did not take it and retrying will not change that;
 * - `in_doubt`: no answer that proves either (timeout, reset, broken pipe, 5xx, anything
 *   unexpected) — SES may have accepted it; never retried blindly.
 */
export type SendFailureKind = 'not_accepted' | 'rejected' | 'in_doubt';

const THROTTLING_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
]);

/** Network errors raised before any byte of the request reached SES. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH']);

/** Classifies a failed `SendEmail` call (see {@link SendFailureKind}). */
export function classifySendFailure(error: unknown): SendFailureKind {
  if (!(error instanceof Error)) return 'in_doubt';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: unknown }).code;
  if (THROTTLING_NAMES.has(error.name) || status === 429) return 'not_accepted';
  if (
    NOT_CONNECTED_CODES.has(error.name) ||
    (typeof code === 'string' && NOT_CONNECTED_CODES.has(code))
  )
    return 'not_accepted';
  if (status !== undefined && status >= 400 && status < 500) return 'rejected';
  if (status === undefined && (error as { $fault?: unknown }).$fault === 'client')
    return 'rejected';
  return 'in_doubt';
}

/** Short name of a provider error for records and metrics (never its message, which may echo input). */
export function providerErrorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'UnknownError';
  return error.name.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) || 'Error';
}

/** Options of {@link SesEmailSender}. */
export interface SesEmailSenderOptions {
  /** The SES tenant of an agent tenant (`sesTenantName`); no `TenantName` is sent when absent. */
  readonly sesTenantName?: (tenantId: string) => string;
}

/**
 * Amazon SES v2 `SendEmail` with a configuration set (whose event stream settles in-doubt sends)
 * and, when `sesTenantName` is given, the agent tenant's SES tenant (`TenantName`).
 * Give it a client built with `maxAttempts: 1`: the sender is the only retry layer.
 */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName: string | undefined,
    private readonly options: SesEmailSenderOptions = {},
  ) {}

  async send(email: OutboundEmail): Promise<{ messageId: string }> {
    const result = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [email.to] },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
        ...(this.options.sesTenantName
          ? { TenantName: this.options.sesTenantName(email.tenantId) }
          : {}),
        EmailTags: email.tags.map((tag) => ({ Name: tag.name, Value: tag.value })),
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
            Headers: email.headers.map((header) => ({ Name: header.name, Value: header.value })),
          },
        },
      }),
    );
    if (!result.MessageId) throw new Error('SES returned no MessageId');
    return { messageId: result.MessageId };
  }
}
