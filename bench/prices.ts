/**
 * Published on-demand list prices the cost model multiplies by, in one table: region us-east-1,
 * USD, as published on the AWS pricing pages on 2025-06-01 (DynamoDB on-demand after the
 * November 2024 reduction; Lambda arm64). Free tiers are left out: the model is for a fleet.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2025-06-01',
  /** Step Functions Standard, per state transition. */
  stepFunctionsStandardTransition: 0.025 / 1_000,
  /** Step Functions Express, per request, and per GB-second of duration. */
  stepFunctionsExpressRequest: 1.0 / 1_000_000,
  stepFunctionsExpressGbSecond: 0.00001667,
  /** Lambda (arm64), per request and per GB-second. */
  lambdaRequest: 0.2 / 1_000_000,
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per write and per read request unit. */
  dynamodbWriteUnit: 0.625 / 1_000_000,
  dynamodbReadUnit: 0.125 / 1_000_000,
  /** SQS standard, per request (64 KB chunk). */
  sqsRequest: 0.4 / 1_000_000,
  /** SES outbound, per email. */
  sesEmail: 0.1 / 1_000,
  /** CloudWatch Logs ingestion per GB; a custom metric per month; an alarm per month. */
  logsIngestGb: 0.5,
  customMetricMonth: 0.3,
  alarmMonth: 0.1,
  /** X-Ray, per trace recorded. */
  xrayTrace: 5.0 / 1_000_000,
  /** EventBridge Scheduler, per invocation. */
  schedulerInvocation: 1.0 / 1_000_000,
} as const;
