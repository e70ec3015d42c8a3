import { errorText } from '../observability/error-text.js';
import {
  assembleReplyPrompt,
  parseReplyAnalysis,
  reviewReply,
  type ReplyReview,
} from '../domain/drafting/reply-analysis.js';
import { DRAFTING_METRICS } from './drafting-metrics.js';
import { recordUsage, withTimeout, type DraftingPorts } from './draft-touch.js';

/**
 * Reply analysis for review (issue 16, item 5): asks the drafting chain's providers that can
 * analyse a reply, in order, skipping open circuits, for a one-sentence summary and a suggested
 * intent of an inbound thread, and pairs it with the explicit-request rule's verdict on the same
 * text. The result is recorded on a shadow, parallel or assisted proposal for a human to read;
 * it never creates, allows or blocks anything. Undefined when no provider could answer.
 */
export async function analyseReply(
  ports: DraftingPorts,
  tenantId: string,
  thread: string,
): Promise<(ReplyReview & { readonly provider: string }) | undefined> {
  const prompt = assembleReplyPrompt(thread);
  for (const provider of ports.providers) {
    const analyse = provider.analyseReply?.bind(provider);
    if (!analyse || ports.circuits.isOpen(provider.name, ports.clock.now())) continue;
    try {
      const reply = await withTimeout(
        (signal) => analyse({ prompt, thread, signal }),
        ports.timeoutMs,
        provider.name,
      );
      ports.circuits.recordSuccess(provider.name);
      if (reply.usage) await recordUsage(ports, tenantId, provider, reply.usage);
      return { ...reviewReply(thread, parseReplyAnalysis(reply.answer)), provider: provider.name };
    } catch (error) {
      ports.metric(DRAFTING_METRICS.providerFailure, 1, { provider: provider.name, kind: 'error' });
      if (ports.circuits.recordFailure(provider.name, ports.clock.now()))
        ports.metric(DRAFTING_METRICS.circuitOpened, 1, { provider: provider.name });
      ports.logger?.debug('reply analysis failed', {
        provider: provider.name,
        error: errorText(error),
      });
    }
  }
  return undefined;
}
