import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { describe, expect, it } from 'vitest';
import { CycleStateMachine } from '../../infra/constructs/cycle.js';

function cycleWithLease(lockTtlSeconds: number): () => CycleStateMachine {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'LeaseProbe');
  const table = new Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
  });
  const sendQueue = new Queue(stack, 'Send');
  const killSwitch = new StringParameter(stack, 'KillSwitch', { stringValue: 'off' });
  return () =>
    new CycleStateMachine(stack, 'Cycle', {
      appName: 'engagement-agent',
      stage: 'dev',
      sendMode: 'dry_run',
      table,
      sendQueue,
      killSwitch,
      lockTtlSeconds,
    });
}

describe('Infra: config that cannot hold is refused at synth', () => {
  it('refuses a lock lease shorter than the longest step timeout plus margin, naming the prop', () => {
    expect(cycleWithLease(300)).toThrow(
      /^lockTtlSeconds: a lock lease of 300 s cannot hold through a 300 s phase; it must be at least 360 s/,
    );
  });

  it('accepts a lease of the longest step timeout plus margin', () => {
    expect(cycleWithLease(360)).not.toThrow();
  });
});
