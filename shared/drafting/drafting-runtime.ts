import type { Clock } from '../clock.js';
import { ConfigError } from '../errors.js';
import type { MetricSink } from '../cycle/runtime.js';
import type { ModelPricing } from '../domain/drafting/llm-budget.js';
import { BedrockDraftProvider } from './bedrock-provider.js';
import type { DraftingPorts, DraftLogger, UsageLedger } from './draft-touch.js';
import { ProviderCircuits } from './provider-circuits.js';
import { mockProvider, templateProvider, type DraftProvider } from './providers.js';

/**
 * How a deployment or simulation drafts (`agentctl simulate --llm`, the `LLM_MODE` variable):
 * - `bedrock`: Bedrock, then the template;
 * - `mock`: the deterministic mock, then the template (the simulator's default);
 * - `template`: the pack's templates through the checker, no model;
 * - `off`: no drafting at all: requests carry no draft and the sender renders its built-in
 *   template as before drafting existed (the rollback switch; nothing is checked).
 */
export const LLM_MODES = ['bedrock', 'mock', 'template', 'off'] as const;
export type LlmMode = (typeof LLM_MODES)[number];

/** The live latency target of one Bedrock draft (seeds: live < 3 s); the chain's default timeout. */
export const LIVE_DRAFT_TARGET_MS = 3_000;

/**
 * List prices used for the budget when the stage configures none: Claude 3 Haiku on Bedrock
 * (USD 0.25 / 1.25 per million input / output tokens).
 */
export const DEFAULT_BEDROCK_PRICING: ModelPricing = {
  inputPerMillionUsd: 0.25,
  outputPerMillionUsd: 1.25,
};

/** Reads an `LLM_MODE` value; an unknown one is a {@link ConfigError} naming the variable. */
export function parseLlmMode(value: string | undefined, field = 'LLM_MODE'): LlmMode {
  const mode = (value ?? 'template').trim().toLowerCase();
  if ((LLM_MODES as readonly string[]).includes(mode)) return mode as LlmMode;
  throw new ConfigError(
    field,
    `expected one of ${LLM_MODES.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** What {@link createDrafting} builds the ports from. */
export interface DraftingSetup {
  readonly mode: LlmMode;
  readonly clock: Clock;
  readonly metric: MetricSink;
  readonly usage?: UsageLedger;
  readonly logger?: DraftLogger;
  /** Required for `bedrock`. */
  readonly bedrockModelId?: string;
  readonly region?: string;
  readonly timeoutMs?: number;
  readonly pricing?: ModelPricing;
  /** Overrides the providers (tests: a failing or slow provider before the template). */
  readonly providers?: readonly DraftProvider[];
  readonly circuits?: ProviderCircuits;
}

/** Builds the drafting ports for a mode; `off` gives undefined (Act then queues no draft). */
export function createDrafting(setup: DraftingSetup): DraftingPorts | undefined {
  if (setup.mode === 'off') return undefined;
  let providers: readonly DraftProvider[];
  if (setup.providers) providers = setup.providers;
  else if (setup.mode === 'bedrock') {
    if (!setup.bedrockModelId)
      throw new ConfigError('BEDROCK_MODEL_ID', 'is required when LLM_MODE is bedrock');
    providers = [
      new BedrockDraftProvider({
        modelId: setup.bedrockModelId,
        ...(setup.region ? { region: setup.region } : {}),
      }),
      templateProvider,
    ];
  } else if (setup.mode === 'mock') providers = [mockProvider, templateProvider];
  else providers = [templateProvider];
  return {
    providers,
    circuits: setup.circuits ?? new ProviderCircuits(),
    clock: setup.clock,
    timeoutMs: setup.timeoutMs ?? LIVE_DRAFT_TARGET_MS,
    metric: setup.metric,
    ...(setup.logger ? { logger: setup.logger } : {}),
    ...(setup.usage ? { usage: setup.usage } : {}),
    pricing: { bedrock: setup.pricing ?? DEFAULT_BEDROCK_PRICING },
  };
}

/**
 * Act's drafting from its environment: `LLM_MODE` (`bedrock` with `BEDROCK_MODEL_ID`, `mock`,
 * `template`, `off`; default `template`), `LLM_TIMEOUT_MS`, `AWS_REGION`. Prompts and answers are
 * logged redacted, at debug level only. Throws a {@link ConfigError} naming a bad variable.
 *
 * @example
 * const runtime = cycleRuntimeFromEnvironment(observability, process.env, draftingFromEnvironment(observability.logger));
 */
export function draftingFromEnvironment(
  logger: DraftLogger,
  env: NodeJS.ProcessEnv = process.env,
): (
  ports: Pick<DraftingSetup, 'clock' | 'metric'> & { usage: UsageLedger },
) => DraftingPorts | undefined {
  const mode = parseLlmMode(env['LLM_MODE']);
  const timeoutMs = env['LLM_TIMEOUT_MS'] ? Number(env['LLM_TIMEOUT_MS']) : undefined;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0))
    throw new ConfigError(
      'LLM_TIMEOUT_MS',
      `expected a positive whole number of ms, got ${JSON.stringify(env['LLM_TIMEOUT_MS'])}`,
    );
  return (ports) =>
    createDrafting({
      ...ports,
      mode,
      logger,
      ...(env['BEDROCK_MODEL_ID'] ? { bedrockModelId: env['BEDROCK_MODEL_ID'] } : {}),
      ...(env['AWS_REGION'] ? { region: env['AWS_REGION'] } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
}
