import type { MailAddress, ParsedMessage } from './mime.js';
import { cleanDisplayName, extractSignature, type SignatureFields } from './signature.js';

/** The person behind a message, from its headers and signature. */
export interface ExtractedContact {
  /** Lower-cased address. */
  readonly email: string;
  readonly name?: string;
  readonly title?: string;
  readonly phone?: string;
  readonly company?: string;
  /** Which header the address came from. */
  readonly source: 'from' | 'reply_to';
}

/** Everyone a message names who could be a contact. */
export interface ContactExtraction {
  /** The writer; absent for mail from a daemon or a no-reply robot without a personal Reply-To. */
  readonly sender?: ExtractedContact;
  /** Other people on the message (Cc, a different Reply-To), the mailbox itself excluded. */
  readonly others: readonly MailAddress[];
}

const ROBOT_LOCAL_PART =
  /^(?:no-?reply|do-?not-?reply|donotreply|notifications?|mailer-daemon|postmaster|bounces?|alerts?|system|automated|auto-?confirm|daemon)(?:[+._-].*)?$/i;

/** True for robot addresses (no-reply, notifications, mailer daemons). */
export function isRobotAddress(address: string): boolean {
  return ROBOT_LOCAL_PART.test(address.split('@')[0] ?? '');
}

/**
 * Extracts the sender (From, or a personal Reply-To when From is a no-reply robot) with name,
 * title, phone and company from the signature block, falling back to the display name for the
 * name; and the other people named in Cc and Reply-To. `ownAddresses` (the mailbox) are left out.
 * Pass `signature: false` for auto-replies, whose bodies name stand-ins rather than the writer.
 */
export function extractContacts(
  message: ParsedMessage,
  ownAddresses: readonly string[] = [],
  options: { readonly signature?: boolean } = {},
): ContactExtraction {
  const own = new Set(ownAddresses.map((address) => address.toLowerCase()));
  const from = message.from;
  const personalReplyTo = message.replyTo.find(
    (a) => !isRobotAddress(a.address) && !own.has(a.address),
  );
  let senderAddress: MailAddress | undefined;
  let source: ExtractedContact['source'] = 'from';
  if (from && !isRobotAddress(from.address) && !own.has(from.address)) {
    senderAddress = from;
  } else if (personalReplyTo) {
    senderAddress = personalReplyTo;
    source = 'reply_to';
  }

  let sender: ExtractedContact | undefined;
  if (senderAddress) {
    const displayName = cleanDisplayName(senderAddress.name);
    const signature: SignatureFields =
      options.signature === false
        ? {}
        : extractSignature(message.text, {
            ...(displayName ? { name: displayName } : {}),
            address: senderAddress.address,
          });
    const name = betterName(displayName, signature.name);
    sender = {
      email: senderAddress.address,
      ...(name ? { name } : {}),
      ...(signature.title ? { title: signature.title } : {}),
      ...(signature.phone ? { phone: signature.phone } : {}),
      ...(signature.company ? { company: signature.company } : {}),
      source,
    };
  }

  const others: MailAddress[] = [];
  for (const candidate of [...message.replyTo, ...message.cc]) {
    if (
      candidate.address === sender?.email ||
      candidate.address === from?.address ||
      own.has(candidate.address) ||
      isRobotAddress(candidate.address) ||
      others.some((other) => other.address === candidate.address)
    )
      continue;
    const name = cleanDisplayName(candidate.name);
    others.push({ address: candidate.address, ...(name ? { name } : {}) });
  }
  return { ...(sender ? { sender } : {}), others };
}

/** The fuller of two names (more words); the display name on a tie. */
function betterName(
  display: string | undefined,
  signature: string | undefined,
): string | undefined {
  if (!signature) return display;
  if (!display) return signature;
  return signature.split(/\s+/).length > display.split(/\s+/).length ? signature : display;
}
