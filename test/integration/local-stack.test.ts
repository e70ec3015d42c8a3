import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../shared/clock.js';
import { QUEUE_DEFINITIONS } from '../../shared/messaging/queue-definitions.js';
import { TABLE_SCHEMA } from '../../shared/storage/table-schema.js';
import { createRepositories } from '../../shared/storage/index.js';
import { localDynamoDbConfig, startLocalStack } from '../../infra/local/local-stack.js';

describe('Local: startLocalStack', () => {
  it('creates the table with the shared key schema and index', async () => {
    const stack = await startLocalStack();
    try {
      const { Table } = await stack.clients.dynamodb.send(
        new DescribeTableCommand({ TableName: stack.tableName }),
      );

      expect(Table?.KeySchema).toEqual([
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['gsi1']);
    } finally {
      await stack.stop();
    }
  });

  it('creates every queue with its dead-letter queue and the shared settings', async () => {
    const stack = await startLocalStack();
    try {
      for (const [name, definition] of Object.entries(QUEUE_DEFINITIONS)) {
        const urls = stack.queues[name as keyof typeof QUEUE_DEFINITIONS];
        const { Attributes } = await stack.clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: urls.url, AttributeNames: ['All'] }),
        );
        const { Attributes: dlq } = await stack.clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: urls.dlqUrl, AttributeNames: ['QueueArn'] }),
        );

        expect(Attributes?.VisibilityTimeout).toBe(String(definition.visibilityTimeoutSeconds));
        expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
          deadLetterTargetArn: dlq?.QueueArn,
          maxReceiveCount: definition.maxReceiveCount,
        });
      }
    } finally {
      await stack.stop();
    }
  });

  it('carries a message through the send queue with the returned client', async () => {
    const stack = await startLocalStack();
    try {
      await stack.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: stack.queues.send.url, MessageBody: '{"to":"a@b.c"}' }),
      );

      const { Messages } = await stack.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.queues.send.url }),
      );

      expect(Messages?.[0]?.Body).toBe('{"to":"a@b.c"}');
    } finally {
      await stack.stop();
    }
  });

  it.each([
    ['in this thread', false],
    ['on its own thread', true],
  ])(
    'keeps DynamoDB data in a data dir across restarts with dynalite %s',
    async (_, dynamoDbThread) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'agent-local-'));
      const clock = new VirtualClock('2026-01-05T09:00:00Z');
      try {
        const first = await startLocalStack({ dataDir, dynamoDbThread });
        await createRepositories({
          doc: first.clients.doc,
          tableName: first.tableName,
          clock,
        }).tenants.put('kept', {
          name: 'Kept',
        });
        await first.stop();

        const second = await startLocalStack({ dataDir, dynamoDbThread });
        const tenant = await createRepositories({
          doc: second.clients.doc,
          tableName: second.tableName,
          clock,
        }).tenants.get('kept');
        await second.stop();

        expect(tenant?.name).toBe('Kept');
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );

  it.each([
    ['in this thread', false],
    ['on its own thread', true],
  ])(
    'serves the in-process clients and the TCP endpoint from one DynamoDB, errors included, with dynalite %s',
    async (_, dynamoDbThread) => {
      const stack = await startLocalStack({ dynamoDbThread });
      const tcp = new DynamoDBClient(localDynamoDbConfig(stack.endpoints.dynamodb, stack.region));
      try {
        const overTcp = DynamoDBDocumentClient.from(tcp);
        const item = { pk: 'TENANT#t', sk: 'PROBE', note: 'written in-process', count: 2 };
        await stack.clients.doc.send(new PutCommand({ TableName: stack.tableName, Item: item }));

        const { Item } = await overTcp.send(
          new GetCommand({ TableName: stack.tableName, Key: { pk: 'TENANT#t', sk: 'PROBE' } }),
        );
        const again = await stack.clients.doc
          .send(
            new PutCommand({
              TableName: stack.tableName,
              Item: item,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
          .catch((error: unknown) => error);
        const missingKey = await stack.clients.doc
          .send(new GetCommand({ TableName: stack.tableName, Key: { pk: 'TENANT#t' } }))
          .catch((error: unknown) => error);

        expect(Item).toEqual(item);
        expect(again).toBeInstanceOf(ConditionalCheckFailedException);
        expect(missingKey).toMatchObject({
          name: 'ValidationException',
          $metadata: { httpStatusCode: 400 },
        });
      } finally {
        tcp.destroy();
        await stack.stop();
      }
    },
  );

  it('hands out environment variables that point at the running emulators', async () => {
    const stack = await startLocalStack();
    try {
      expect(stack.environment).toMatchObject({
        TABLE_NAME: stack.tableName,
        DYNAMODB_ENDPOINT: stack.endpoints.dynamodb,
        SQS_ENDPOINT: stack.endpoints.sqs,
        SEND_QUEUE_URL: stack.queues.send.url,
      });
    } finally {
      await stack.stop();
    }
  });
});
