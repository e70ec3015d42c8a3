import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { BedrockDraftProvider } from '../../../shared/drafting/bedrock-provider.js';
import { draftTouch } from '../../../shared/drafting/draft-touch.js';
import { ProviderCircuits } from '../../../shared/drafting/provider-circuits.js';
import { templateProvider, type DraftCall } from '../../../shared/drafting/providers.js';
import { DEFAULT_MESSAGING_PACK } from '../../../shared/domain/drafting/messaging-pack.js';
import { assembleDraftPrompt, buildDraftContext } from '../../../shared/domain/drafting/prompt.js';
import { VirtualClock } from '../../../shared/clock.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const bedrock = mockClient(BedrockRuntimeClient);
// Workers are shared across files (isolate: false): put the real send back for the next file.
afterAll(() => bedrock.restore());
const context = buildDraftContext({
  tenantName: 'Northwind Appraisals',
  touchType: 'check_in',
  tier: 'default',
  contact: { name: 'Dana Whitfield' },
});
const answer = JSON.stringify({
  subject: 'Checking in – Northwind Appraisals',
  paragraphs: [
    'Hi Dana,',
    'I hope all is well. Is there anything Northwind Appraisals can help with?',
    'Best regards,',
    'Northwind Appraisals',
  ],
});
const reply = (text: string) => ({
  output: { message: { role: 'assistant' as const, content: [{ text }] } },
  stopReason: 'end_turn' as const,
  usage: { inputTokens: 321, outputTokens: 54, totalTokens: 375 },
  metrics: { latencyMs: 420 },
});

function call(): DraftCall {
  return {
    prompt: assembleDraftPrompt(context, DEFAULT_MESSAGING_PACK),
    context,
    pack: DEFAULT_MESSAGING_PACK,
    signal: new AbortController().signal,
  };
}

const provider = (options: Partial<ConstructorParameters<typeof BedrockDraftProvider>[0]> = {}) =>
  new BedrockDraftProvider({
    modelId: MODEL,
    client: new BedrockRuntimeClient({ region: 'us-east-1', maxAttempts: 1 }),
    baseDelayMs: 1,
    random: () => 0.5,
    ...options,
  });

afterEach(() => {
  bedrock.reset();
});

describe('Drafting: Bedrock provider (Converse)', () => {
  it('sends one Converse request with the configured model, the system prompt and one user turn', async () => {
    // Prepare
    bedrock.on(ConverseCommand).resolves(reply(answer));
    const request = call();

    // Act
    const draft = await provider().draft(request);

    // Assess
    const calls = bedrock.commandCalls(ConverseCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      modelId: MODEL,
      system: [{ text: request.prompt.system }],
      messages: [{ role: 'user', content: [{ text: request.prompt.user }] }],
      inferenceConfig: { maxTokens: 700, temperature: 0.4 },
    });
    expect(draft).toEqual({
      text: JSON.parse(answer) as unknown,
      usage: { inputTokens: 321, outputTokens: 54 },
      modelId: MODEL,
    });
  });

  it('retries throttling and succeeds on a later attempt', async () => {
    // Prepare
    const throttled = new ThrottlingException({ message: 'Too many requests', $metadata: {} });
    bedrock
      .on(ConverseCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves(reply(answer));

    // Act
    const draft = await provider().draft(call());

    // Assess
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(3);
    expect(draft.text.subject).toBe('Checking in – Northwind Appraisals');
  });

  it('gives up after the last throttled attempt', async () => {
    // Prepare
    bedrock
      .on(ConverseCommand)
      .rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));

    // Act
    const result = provider({ maxAttempts: 2 }).draft(call());

    // Assess
    await expect(result).rejects.toThrow('slow down');
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(2);
  });

  it('does not retry any other error', async () => {
    // Prepare
    bedrock
      .on(ConverseCommand)
      .rejects(new ValidationException({ message: 'bad model id', $metadata: {} }));

    // Act
    const result = provider().draft(call());

    // Assess
    await expect(result).rejects.toThrow('bad model id');
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
  });

  it('treats an answer that is not the draft JSON as an error', async () => {
    // Prepare
    bedrock.on(ConverseCommand).resolves(reply('Sure! Here is your email: Dear Dana ...'));

    // Act
    const result = provider().draft(call());

    // Assess
    await expect(result).rejects.toThrow('answer: no JSON object');
  });

  it('is abandoned at the chain timeout, aborting the request, and the template is used', async () => {
    // Prepare: Bedrock never answers; the abort signal is what ends the call.
    let aborted = false;
    bedrock.on(ConverseCommand).callsFake(
      () =>
        new Promise((_, reject) => {
          setTimeout(() => reject(new Error('late')), 200);
        }),
    );
    const slow = provider();
    const original = slow.draft.bind(slow);
    slow.draft = (request) => {
      request.signal.addEventListener('abort', () => (aborted = true));
      return original(request);
    };

    // Act
    const result = await draftTouch(
      {
        providers: [slow, templateProvider],
        circuits: new ProviderCircuits(),
        clock: new VirtualClock('2026-01-05T15:00:00Z'),
        timeoutMs: 30,
        metric: () => undefined,
      },
      {
        tenantId: 't1',
        pack: DEFAULT_MESSAGING_PACK,
        quota: { dailyTokens: 1_000, dailyCostUsd: 1 },
        source: { tenantName: 'Northwind Appraisals', touchType: 'check_in', tier: 'default' },
      },
    );

    // Assess
    expect(aborted).toBe(true);
    expect(result.kind === 'drafted' && result.draft).toMatchObject({
      provider: 'template',
      fallbackFrom: 'bedrock',
    });
  });
});
