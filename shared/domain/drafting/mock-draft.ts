import { greetingFor, type MessagingPack } from './messaging-pack.js';
import type { DraftContext, DraftPrompt } from './prompt.js';

/**
 * The deterministic mock model (the simulator's default provider): a draft is a pure function of
 * the prompt, so the same inputs always give the same draft, and different contacts or touches
 * get different wording. It writes only from the context it was given, like a well-behaved model;
 * it uses the pack's first key message verbatim, so a pack whose key message breaks its own rules
 * shows what the checker does with it.
 */

/** FNV-1a over a string: a small, stable, dependency-free hash for choosing variants. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const OPENERS: Record<string, readonly string[]> = {
  check_in: [
    'I hope the new year has started well for you and the team.',
    'I was thinking about our last conversation and wanted to reach out.',
    'It has been a few weeks since we were last in touch, so I wanted to say hello.',
  ],
  follow_up: [
    'I wanted to follow up on my last note in case it got buried.',
    'Just following up on my earlier message.',
    'Circling back on my previous email.',
  ],
};

const ASKS: readonly string[] = [
  'Is there anything {tenant} can help you with at the moment?',
  'Would a short call be useful, or is email easier for you right now?',
  'If anything has changed on your side, I would be glad to hear about it.',
];

const CLOSERS: readonly string[] = ['Best regards,', 'Kind regards,', 'Thanks, and all the best,'];

function pick<T>(values: readonly T[], hash: number, salt: number): T {
  return values[((hash >>> (salt * 3)) ^ salt) % values.length] as T;
}

/** Token counts of a mock call, estimated like a model's (about four characters a token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The mock model's answer to a prompt, as the JSON a model returns. Same prompt → same text.
 *
 * @example
 * mockModelAnswer(prompt, context, pack) // '{"subject":"Checking in – Northwind Appraisals","paragraphs":[…]}'
 */
export function mockModelAnswer(
  prompt: DraftPrompt,
  context: DraftContext,
  pack: MessagingPack,
): string {
  const hash = stableHash(`${prompt.version}\n${prompt.system}\n${prompt.user}`);
  const openers = OPENERS[context.touchType] ?? OPENERS['check_in']!;
  const paragraphs = [greetingFor(context.recipient.firstName), pick(openers, hash, 1)];
  const account = context.account?.name;
  const lastInbound = context.lastTouches.find((touch) => touch.direction === 'inbound');
  if (context.inboundSummary)
    paragraphs.push(
      `Thank you for your last message about ${context.inboundSummary.replace(/[.!?]+$/, '')}.`,
    );
  else if (lastInbound && account)
    paragraphs.push(`Thanks again for your note on ${lastInbound.on} about ${account}.`);
  else if (account) paragraphs.push(`I hope things are going well at ${account}.`);
  if (context.orderAndDealState[0])
    paragraphs.push(`For reference, I have ${context.orderAndDealState[0]} on my side.`);
  if (pack.keyMessages[0]) paragraphs.push(pack.keyMessages[0]);
  paragraphs.push(pick(ASKS, hash, 2).replace('{tenant}', context.tenantName));
  paragraphs.push(pick(CLOSERS, hash, 3), context.tenantName);
  const subject =
    context.touchType === 'follow_up'
      ? `Following up${account ? ` for ${account}` : ''} – ${context.tenantName}`
      : `${pick(['Checking in', 'Quick hello', 'Keeping in touch'], hash, 4)} – ${context.tenantName}`;
  return JSON.stringify({ subject, paragraphs });
}
