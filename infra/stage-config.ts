import * as z from 'zod';
import { STAGES, type Stage } from '../shared/config.js';
import { parseSendMode, type SendMode } from '../shared/domain/send-mode.js';
import { ConfigError } from '../shared/errors.js';
import { parseOrgCycleConcurrency } from '../shared/domain/org-concurrency.js';

/** The typed deployment settings `infra/app.ts` builds from CDK context and hands to `AgentStack`. */
export interface StageConfig {
  /** Deployment stage; `prod` retains stateful resources and turns on deletion protection. */
  readonly stage: Stage;
  /** Lower-case, dash-separated application name; prefixes the kill-switch parameter and the stack name. */
  readonly appName: string;
  /** Address subscribed to the alarm topic; absent means no subscription. */
  readonly alarmEmail: string | undefined;
  /** Email rollout mode the functions start in; `dry_run` unless context says otherwise. */
  readonly sendMode: SendMode;
  /** The From address of outbound email (an SES-verified identity); required before going live. */
  readonly fromAddress?: string | undefined;
  /** How Act drafts emails (`LLM_MODE`): `template` unless context says `bedrock` (or `off`). */
  readonly llmMode: 'bedrock' | 'template' | 'off';
  /** The Bedrock model id Act may call (its IAM is scoped to it); used when `llmMode` is `bedrock`. */
  readonly bedrockModelId: string;
  /** The runbook page alarm descriptions link (absolute https URL, no fragment). */
  readonly runbookUrl: string;
  /**
   * The SES identities (domains, or single addresses) the sender may send from: the IAM policy
   * names each, and a tenant whose `sending.fromAddress` is on none is refused before SES.
   * Defaults to the domain of `fromAddress`. Context: a comma-separated list or a JSON array.
   */
  readonly sendingIdentities: readonly string[];
  /**
   * Every SendEmail names the agent tenant's SES tenant (`TenantName`), created by
   * `agentctl tenant enable`. Turn on only after each enabled tenant was enabled once with the
   * stack deployed (docs/RUNBOOK.md "SES tenants"). Context: `true`/`false`. @default false
   */
  readonly sesTenants?: boolean;
  /** Cycles of one organisation that may run at once (`-c orgCycleConcurrency=2`). @default 1 */
  readonly orgCycleConcurrency: number;
}

/**
 * The runbook link alarm descriptions use when CDK context sets no `runbookUrl`: the runbook on
 * the repository's web view, `https://github.com/<org>/<appName>/blob/main/docs/RUNBOOK.md`, with
 * a placeholder org. Set `-c runbookUrl=https://...` to the page on-call can actually open.
 */
export function defaultRunbookUrl(appName: string): string {
  return `https://github.com/example-org/${appName}/blob/main/docs/RUNBOOK.md`;
}

/** The Bedrock model a stage drafts with unless context names another. */
export const DEFAULT_BEDROCK_MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';

/** The From address when `fromAddress` is not set (safe while the mode is dry_run). */
export const DEFAULT_FROM_ADDRESS = 'no-reply@example.com';

/** The CDK context keys {@link parseStageConfig} reads (`npx cdk synth -c stage=prod`). */
export const STAGE_CONTEXT_KEYS = [
  'stage',
  'appName',
  'alarmEmail',
  'sendMode',
  'fromAddress',
  'llmMode',
  'bedrockModelId',
  'runbookUrl',
  'sendingIdentities',
  'sesTenants',
  'orgCycleConcurrency',
] as const;

/** Options for {@link parseStageConfig}. */
export interface ParseStageConfigOptions {
  /** Receives non-fatal findings, e.g. an unknown send mode that fell back to `dry_run`. */
  readonly warn?: (message: string) => void;
}

// Same rule as APP_NAME in shared/config.ts: the functions read the name back from their
// environment, so infra must not accept a name the runtime would reject.
const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{1,40}$/;

const contextSchema = z.object({
  stage: z.enum(STAGES, { message: `expected one of ${STAGES.join(', ')}` }).default('dev'),
  appName: z
    .string({ message: 'expected a string' })
    .regex(
      APP_NAME_PATTERN,
      'expected 2-41 lower-case letters, digits and dashes, starting with a letter',
    )
    .default('engagement-agent'),
  alarmEmail: z
    .email({ message: 'expected an email address such as oncall@example.com' })
    .optional(),
  sendMode: z.string({ message: 'expected a string' }).optional(),
  orgCycleConcurrency: z.coerce.string().optional(),
  fromAddress: z
    .email({ message: 'expected the verified sender address, e.g. agent@mail.example.com' })
    .optional(),
  llmMode: z
    .enum(['bedrock', 'template', 'off'], { message: 'expected one of bedrock, template, off' })
    .default('template'),
  bedrockModelId: z
    .string({ message: 'expected a string' })
    .regex(
      /^[a-z0-9][a-z0-9.:-]{2,120}$/,
      'expected a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0',
    )
    .default(DEFAULT_BEDROCK_MODEL_ID),
  runbookUrl: z
    .url({
      protocol: /^https$/,
      message:
        'expected an https URL on-call can open, e.g. https://wiki.example.com/agent-runbook',
    })
    .refine((url) => !url.includes('#'), 'expected no #fragment (each alarm adds its section)')
    .optional(),
  sendingIdentities: z
    .union([z.string(), z.array(z.string())], {
      message: 'expected a comma-separated list of SES identities (domains or addresses)',
    })
    .optional()
    .transform((value) =>
      (typeof value === 'string' ? value.split(',') : (value ?? []))
        .map((identity) => identity.trim().toLowerCase())
        .filter((identity) => identity !== ''),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^([^@\s]+@)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/,
            'expected domains such as mail.example.com or addresses such as agent@example.com',
          ),
      ),
    ),
  sesTenants: z
    .union([z.boolean(), z.enum(['true', 'false'])], { message: 'expected true or false' })
    .optional()
    .transform((value) => value === true || value === 'true'),
});

/**
 * Builds the {@link StageConfig} from CDK context values. Throws a {@link ConfigError} whose
 * message starts with the offending context key (`stage: expected one of dev, staging, prod`).
 * Blank values count as absent. An unknown `sendMode` is not an error: like the runtime it fails
 * closed to `dry_run` and reports a warning through `options.warn`.
 *
 * @example
 * const config = parseStageConfig({ stage: app.node.tryGetContext('stage') });
 */
export function parseStageConfig(
  context: Record<string, unknown>,
  options: ParseStageConfigOptions = {},
): StageConfig {
  const input = Object.fromEntries(
    STAGE_CONTEXT_KEYS.map((key) => {
      const value = context[key];
      return [key, typeof value === 'string' && value.trim() === '' ? undefined : value];
    }),
  );
  const parsed = contextSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'context');
    const received = input[key];
    throw new ConfigError(
      key,
      `${issue?.message ?? 'invalid'}${received === undefined ? '' : ` (got ${JSON.stringify(received)})`}`,
    );
  }
  const { stage, appName, alarmEmail, fromAddress, sendMode: rawSendMode } = parsed.data;
  const sendMode = parseSendMode(rawSendMode);
  if (sendMode.warning) options.warn?.(`sendMode: ${sendMode.warning}`);
  const defaultFrom = fromAddress ?? DEFAULT_FROM_ADDRESS;
  const defaultDomain = defaultFrom.slice(defaultFrom.lastIndexOf('@') + 1).toLowerCase();
  const sendingIdentities =
    parsed.data.sendingIdentities.length > 0 ? parsed.data.sendingIdentities : [defaultDomain];
  if (
    !sendingIdentities.includes(defaultDomain) &&
    !sendingIdentities.includes(defaultFrom.toLowerCase())
  ) {
    throw new ConfigError(
      'sendingIdentities',
      `must include the domain of fromAddress (${defaultDomain}), got ${JSON.stringify(sendingIdentities)}`,
    );
  }
  if (!parsed.data.runbookUrl && stage === 'prod')
    options.warn?.('runbookUrl: not set; alarm descriptions link a placeholder repository URL');
  const runbookUrl = parsed.data.runbookUrl ?? defaultRunbookUrl(appName);
  return {
    stage,
    appName,
    alarmEmail,
    fromAddress,
    sendMode: sendMode.mode,
    llmMode: parsed.data.llmMode,
    bedrockModelId: parsed.data.bedrockModelId,
    runbookUrl,
    sendingIdentities,
    sesTenants: parsed.data.sesTenants,
    orgCycleConcurrency: parseOrgCycleConcurrency(parsed.data.orgCycleConcurrency),
  };
}

/**
 * The CloudFormation stack name for a stage: the app name in PascalCase, a dash, the stage
 * (`engagement-agent` + `dev` → `EngagementAgent-dev`).
 */
export function agentStackName(config: Pick<StageConfig, 'appName' | 'stage'>): string {
  const pascal = config.appName
    .split('-')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `${pascal}-${config.stage}`;
}
