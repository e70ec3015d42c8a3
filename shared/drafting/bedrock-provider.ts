import type { BedrockRuntimeClient, ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { parseModelDraft } from '../domain/drafting/model-answer.js';
import type { TokenUsage } from '../domain/drafting/llm-budget.js';
import type { DraftPrompt } from '../domain/drafting/prompt.js';
import type {
  DraftCall,
  DraftProvider,
  ProviderDraft,
  ProviderReply,
  ReplyCall,
} from './providers.js';

/** Options of {@link BedrockDraftProvider}. */
export interface BedrockProviderOptions {
  /** The model id or inference profile the stage configures (`bedrockModelId` context). */
  readonly modelId: string;
  readonly region?: string;
  /** A client to use (tests); one with `maxAttempts: 1` is created on first use otherwise. */
  readonly client?: BedrockRuntimeClient;
  /** Attempts per draft when Bedrock throttles; no other error is retried. @default 3 */
  readonly maxAttempts?: number;
  /** First backoff after throttling, doubled each time, with full jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** @default 700 */
  readonly maxTokens?: number;
  /** @default 0.4 */
  readonly temperature?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
}

const THROTTLING_ERRORS = new Set(['ThrottlingException', 'TooManyRequestsException']);

/** True for Bedrock's throttling answers, the only errors this provider retries. */
export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING_ERRORS.has(error.name);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

/**
 * The Bedrock provider: one Converse call per draft (system prompt + one user turn), the answer
 * read as the draft JSON. The Bedrock Runtime client is imported on first use, so a function
 * drafting with the mock or the template never loads it. The SDK's own retries are off
 * (`maxAttempts: 1`); throttling alone is retried here with jittered backoff, and the chain's
 * timeout aborts the request in flight.
 */
export class BedrockDraftProvider implements DraftProvider {
  readonly name = 'bedrock';
  readonly metered = true;
  private client: Promise<BedrockRuntimeClient> | undefined;

  constructor(private readonly options: BedrockProviderOptions) {
    if (options.client) this.client = Promise.resolve(options.client);
  }

  private runtimeClient(): Promise<BedrockRuntimeClient> {
    this.client ??= import('@aws-sdk/client-bedrock-runtime').then(
      ({ BedrockRuntimeClient }) =>
        new BedrockRuntimeClient({
          maxAttempts: 1,
          ...(this.options.region ? { region: this.options.region } : {}),
        }),
    );
    return this.client;
  }

  async draft(call: DraftCall): Promise<ProviderDraft> {
    const { text, usage } = await this.converse(call.prompt, call.signal);
    return { text: parseModelDraft(text), usage, modelId: this.options.modelId };
  }

  async analyseReply(call: ReplyCall): Promise<ProviderReply> {
    const { text, usage } = await this.converse(call.prompt, call.signal);
    return { answer: text, usage };
  }

  /** One Converse call; throttling is retried with jittered backoff, nothing else. */
  private async converse(
    prompt: DraftPrompt,
    signal: AbortSignal,
  ): Promise<{ text: string; usage: TokenUsage }> {
    const client = await this.runtimeClient();
    const { ConverseCommand } = await import('@aws-sdk/client-bedrock-runtime');
    const command = new ConverseCommand({
      modelId: this.options.modelId,
      system: [{ text: prompt.system }],
      messages: [{ role: 'user', content: [{ text: prompt.user }] }],
      inferenceConfig: {
        maxTokens: this.options.maxTokens ?? 700,
        temperature: this.options.temperature ?? 0.4,
      },
    });
    const attempts = this.options.maxAttempts ?? 3;
    const random = this.options.random ?? Math.random;
    for (let attempt = 1; ; attempt += 1) {
      let output: ConverseCommandOutput;
      try {
        output = await client.send(command, { abortSignal: signal });
      } catch (error) {
        if (!isThrottling(error) || attempt >= attempts) throw error;
        const ceiling = (this.options.baseDelayMs ?? 200) * 2 ** (attempt - 1);
        await sleep(Math.floor(random() * ceiling), signal);
        continue;
      }
      const text = (output.output?.message?.content ?? [])
        .map((block) => ('text' in block && typeof block.text === 'string' ? block.text : ''))
        .join('');
      return {
        text,
        usage: {
          inputTokens: output.usage?.inputTokens ?? 0,
          outputTokens: output.usage?.outputTokens ?? 0,
        },
      };
    }
  }
}
