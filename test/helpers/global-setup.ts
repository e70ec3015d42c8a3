import type { TestProject } from 'vitest/node';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';

let stack: LocalStack | undefined;

/** Starts one embedded stack (dynalite + fauxqs) for the whole integration run. */
export async function setup(project: TestProject): Promise<void> {
  stack = await startLocalStack({ queuePrefix: 'agent-test' });
  project.provide('localStack', {
    region: stack.region,
    tableName: stack.tableName,
    endpoints: stack.endpoints,
    queues: stack.queues,
  });
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: {
      region: string;
      tableName: string;
      endpoints: { dynamodb: string; sqs: string };
      queues: Record<'send' | 'ingest', { url: string; dlqUrl: string }>;
    };
  }
}
