import { ValidationError } from '../../shared/errors.js';
import { formatCheckReport, reportExitCode, type CheckReport } from './check-report.js';
import {
  awsInspectorClients,
  cloudWatchAlarmReader,
  operatorDomainHealth,
  sesEmailSetupInspector,
  bedrockModelInspector,
  snsAlarmTopicInspector,
} from './cloud-inspectors.js';
import { formatRedrive, redriveDeadLetterQueue } from './dlq.js';
import type { GmailConnectionSource } from './gmail-connection.js';
import { gmailConnectionSource, gmailTargetSettings } from './gmail.js';
import { checkHealth } from './health.js';
import { openOperatorContext, type OperatorTarget } from './operator-context.js';
import { checkPreflight } from './preflight.js';
import { OPERATOR_STACK_OUTPUTS } from './stack-outputs.js';

/** The option values the operations commands read (agentctl's parsed flags). */
export type OperationsValues = Record<string, string | boolean | undefined>;

/** Where an operations command writes. */
type Output = NodeJS.WritableStream;

/** Test seam: the Gmail connection source preflight uses (issue 6 plugs its implementation here). */
export interface OperationsOverrides {
  readonly gmail?: GmailConnectionSource;
}

/** `agentctl health`: prints the report (or `--json`); exit 0 healthy, 1 degraded. */
export async function runHealthCommand(
  values: OperationsValues,
  target: OperatorTarget,
  out: Output,
): Promise<number> {
  const at = parseInstant(values['at'], '--at');
  const context = await openOperatorContext(target);
  const clients = context.local ? undefined : awsInspectorClients();
  try {
    const report = await checkHealth(
      {
        context,
        ...(clients
          ? { alarms: cloudWatchAlarmReader(clients.cloudWatch, context.stackName) }
          : {}),
      },
      at ? { at } : {},
    );
    return print(report, values, out);
  } finally {
    clients?.destroy();
    await context.close();
  }
}

/** `agentctl preflight`: the go-live checklist; exit 0 ready (warnings allowed), 1 not ready. */
export async function runPreflightCommand(
  values: OperationsValues,
  target: OperatorTarget,
  out: Output,
  overrides: OperationsOverrides = {},
): Promise<number> {
  const context = await openOperatorContext(target);
  const clients = context.local ? undefined : awsInspectorClients();
  const gmailSettings = overrides.gmail ? undefined : gmailTargetSettings(target);
  try {
    const identity = stringValue(values['identity']);
    const configurationSet = stringValue(values['configuration-set']);
    const bedrockModel = stringValue(values['bedrock-model']);
    const alarmTopicArn =
      stringValue(values['alarm-topic']) ??
      context.stack?.require(OPERATOR_STACK_OUTPUTS.alarmTopic);
    const report = await checkPreflight(
      {
        context,
        gmail: overrides.gmail ?? gmailConnectionSource(context, gmailSettings!),
        domainHealth: await operatorDomainHealth(target, clients),
        ...(clients ? { email: sesEmailSetupInspector(clients.ses) } : {}),
        ...(clients && alarmTopicArn ? { alarmTopic: snsAlarmTopicInspector(alarmTopicArn) } : {}),
        ...(clients && bedrockModel ? { model: bedrockModelInspector(bedrockModel) } : {}),
      },
      {
        ...(identity ? { identity } : {}),
        ...(configurationSet ? { configurationSet } : {}),
      },
    );
    return print(report, values, out);
  } finally {
    clients?.destroy();
    gmailSettings?.close();
    await context.close();
  }
}

/** `agentctl dlq redrive NAME [--dry-run] [--limit N]`. */
export async function runDlqCommand(
  action: string | undefined,
  name: string | undefined,
  values: OperationsValues,
  target: OperatorTarget,
  out: Output,
): Promise<number> {
  if (action !== 'redrive') throw new ValidationError('dlq', 'expected: dlq redrive NAME');
  if (!name) throw new ValidationError('dlq redrive', 'needs a queue NAME (send, ingest …)');
  const limitText = stringValue(values['limit']);
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new ValidationError('--limit', 'expected a positive whole number');
  const context = await openOperatorContext(target);
  try {
    const result = await redriveDeadLetterQueue(context.queues, name, {
      dryRun: values['dry-run'] === true,
      ...(limit ? { limit } : {}),
    });
    out.write(
      values['json'] === true
        ? `${JSON.stringify(result, null, 2)}\n`
        : `${formatRedrive(result)} (${context.target})\n`,
    );
    return 0;
  } finally {
    await context.close();
  }
}

function print(report: CheckReport, values: OperationsValues, out: Output): number {
  out.write(
    values['json'] === true
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${formatCheckReport(report)}\n`,
  );
  return reportExitCode(report);
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function parseInstant(value: string | boolean | undefined, flag: string): Date | undefined {
  const text = stringValue(value);
  if (text === undefined) return undefined;
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime()))
    throw new ValidationError(flag, 'expected an ISO-8601 instant');
  return instant;
}
