import { errorText, redactText } from '../observability/error-text.js';
import { MalformedMessageError } from '../domain/ingest/malformed-message.js';
import { GmailApiError } from '../adapters/gmail/gmail-mailbox.js';
import { GmailNotConnectedError } from './gmail-connections.js';

/** A short, loggable reason for an ingest failure (never message content, never a token). */
export function describeIngestFailure(error: unknown): string {
  if (error instanceof MalformedMessageError) return redactText(`malformed: ${error.reason}`);
  if (error instanceof GmailApiError) return redactText(`gmail ${error.kind}: ${error.message}`);
  if (error instanceof GmailNotConnectedError) return redactText(error.message);
  return errorText(error, 300);
}
