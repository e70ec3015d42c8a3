import {
  classifySendFailure,
  providerErrorCode,
  type EmailSender,
  type SendFailureKind,
} from '../../adapters/ses/email-sender.js';
import { resolveSendingSettings } from '../../domain/sending-settings.js';
import type { TenantSettings } from '../../domain/tenant.js';
import { renderDraftEmail, renderEmail } from '../email-content.js';
import type { QueuedSend } from '../queued-send.js';
import { unsubscribeLinkFor, type SigningKey } from '../unsubscribe-token.js';
import { keyDigest } from './record.js';

/** What the deliver stage needs besides the request. */
export interface DeliverPorts {
  readonly emailSender: EmailSender;
  readonly signingKey: SigningKey;
  readonly unsubscribeBaseUrl: string;
  /** The deployment's From address, used when the tenant has none. */
  readonly fromAddress: string;
}

/** The one SES call's answer, as far as it proves anything. */
export type DeliveryResult =
  | { readonly kind: 'accepted'; readonly messageId: string }
  | { readonly kind: Exclude<SendFailureKind, never>; readonly code: string };

/** The message tag that carries the touch key, so SES events settle the right send record. */
export const SEND_KEY_TAG = 'send_key';

/** Encodes a touch key as an SES tag value (letters, digits, `_`, `-`; at most 256). */
export function encodeSendKey(idempotencyKey: string): string {
  return Buffer.from(idempotencyKey, 'utf8').toString('base64url');
}

/** Decodes {@link encodeSendKey}; undefined for a value that is not one. */
export function decodeSendKey(value: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  return encodeSendKey(decoded) === value ? decoded : undefined;
}

/** The From address a tenant's mail goes out with. */
export function fromAddressOf(tenant: TenantSettings, fallback: string): string {
  return resolveSendingSettings(tenant.sending).fromAddress ?? fallback;
}

/**
 * Deliver: renders the email — the draft Act checked when the request carries one, else its
 * template — (unsubscribe link in the body and RFC 8058 one-click headers), makes
 * exactly one `SendEmail` call and says what its answer proves ({@link classifySendFailure}). It
 * records nothing; the caller does.
 */
export async function deliver(
  ports: DeliverPorts,
  request: QueuedSend,
  email: string,
  tenant: TenantSettings,
  contactName: string | undefined,
  now: Date,
): Promise<DeliveryResult> {
  const link = unsubscribeLinkFor(
    { tenantId: request.tenantId, email },
    ports.unsubscribeBaseUrl,
    ports.signingKey,
    now,
  );
  const content = request.draft
    ? renderDraftEmail(request.draft, link)
    : renderEmail(request.template, {
        tenantName: tenant.name,
        ...(contactName ? { contactName } : {}),
        ...(request.subject ? { subject: request.subject } : {}),
        unsubscribeUrl: link,
      });
  try {
    const { messageId } = await ports.emailSender.send({
      tenantId: request.tenantId,
      from: fromAddressOf(tenant, ports.fromAddress),
      to: email,
      ...content,
      headers: [
        { name: 'List-Unsubscribe', value: `<${link}>` },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ],
      tags: [
        { name: 'tenant_id', value: request.tenantId },
        { name: 'send_ref', value: keyDigest(request.tenantId, request.idempotencyKey) },
        { name: SEND_KEY_TAG, value: encodeSendKey(request.idempotencyKey) },
        { name: 'template', value: request.template.replace(/[^A-Za-z0-9_-]/g, '_') },
      ],
    });
    return { kind: 'accepted', messageId };
  } catch (error) {
    return { kind: classifySendFailure(error), code: providerErrorCode(error) };
  }
}
