import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';

/** One outbound email, fully rendered. */
export interface OutboundEmail {
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

/** How a provider failure should be handled. */
export type ProviderErrorKind =
  /** Throttled or the provider failed (429, 5xx, network): retry with backoff. */
  | 'retryable'
  /** Refused for a reason retrying does not fix (auth, configuration, rejected content). */
  | 'permanent';

const RETRYABLE_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'InternalServiceErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * Classifies an SES (or network) error: throttling, 5xx and connection failures are retryable;
 * authentication, authorisation, unverified identities, missing configuration sets, rejected
 * messages and paused accounts are permanent (retrying them only burns quota).
 */
export function classifyProviderError(error: unknown): ProviderErrorKind {
  if (!(error instanceof Error)) return 'retryable';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: unknown }).code;
  if (RETRYABLE_NAMES.has(error.name) || (typeof code === 'string' && RETRYABLE_NAMES.has(code)))
    return 'retryable';
  if (status === 429 || (status !== undefined && status >= 500)) return 'retryable';
  if (status !== undefined && status >= 400) return 'permanent';
  const fault = (error as { $fault?: unknown }).$fault;
  if (fault === 'client') return 'permanent';
  // A server fault, or no answer at all (DNS, socket): retrying is safe.
  return 'retryable';
}

/** Short name of a provider error for records and metrics (never its message, which may echo input). */
export function providerErrorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'UnknownError';
  return error.name.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) || 'Error';
}

/** Amazon SES v2 `SendEmail` with a configuration set (for bounce/complaint events). */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName: string | undefined,
  ) {}

  async send(email: OutboundEmail): Promise<{ messageId: string }> {
    const result = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [email.to] },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
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
