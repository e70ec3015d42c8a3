import type { Clock } from '../../shared/clock.js';
import type { EmailSender, OutboundEmail } from '../../shared/adapters/ses/email-sender.js';
import type { SesFeedbackProcessor } from '../../shared/sending/ses-feedback.js';

/**
 * The configuration set's event stream, which the SES emulator lacks: every message the emulator
 * accepts yields a `Send` and a `Delivery` event (EventBridge `detail` documents with the
 * message's tags), handed to the real SES event processor by {@link flush}. Wrap the emulator's
 * sender with it, and put fault injection outside it, so a "lost response" still produces the
 * events SES would publish for the message it accepted.
 */
export class LocalSesEventStream implements EmailSender {
  private readonly events: Record<string, unknown>[] = [];
  private readonly acceptedMessages: { readonly sendKey?: string; readonly to: string }[] = [];
  private published = 0;

  constructor(
    private readonly inner: EmailSender,
    private readonly clock: Clock,
  ) {}

  async send(email: OutboundEmail): Promise<{ messageId: string }> {
    const result = await this.inner.send(email);
    const timestamp = this.clock.now().toISOString();
    const tags = Object.fromEntries(email.tags.map((tag) => [tag.name, [tag.value]]));
    const mail = { messageId: result.messageId, timestamp, tags, destination: [email.to] };
    const sendKey = email.tags.find((tag) => tag.name === 'send_key')?.value;
    this.acceptedMessages.push({ to: email.to, ...(sendKey ? { sendKey } : {}) });
    this.events.push({ eventType: 'Send', mail }, { eventType: 'Delivery', mail });
    return result;
  }

  /** Every message SES accepted, with its `send_key` tag (the encoded touch key). */
  get accepted(): readonly { readonly sendKey?: string; readonly to: string }[] {
    return this.acceptedMessages;
  }

  /** Events waiting to be delivered. */
  get pending(): number {
    return this.events.length;
  }

  /** Events delivered so far. */
  get delivered(): number {
    return this.published;
  }

  /**
   * Delivers every waiting event to `processor`, oldest first. An event whose handling fails
   * stays queued, with the ones after it, for the next flush (EventBridge retries the same way).
   */
  async flush(processor: Pick<SesFeedbackProcessor, 'handle'>): Promise<number> {
    let delivered = 0;
    while (this.events.length > 0) {
      try {
        await processor.handle(this.events[0]);
      } catch {
        break;
      }
      this.events.shift();
      delivered += 1;
    }
    this.published += delivered;
    return delivered;
  }
}
