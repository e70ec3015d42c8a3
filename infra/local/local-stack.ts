import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { QueueName } from '../../shared/messaging/queue-definitions.js';
import { emulatorSigner } from './emulator-signer.js';
import { leanEmulatorClient } from './emulator-client.js';
import { InProcessHttpHandler } from './in-process-http.js';
import { startDynamoDb, type DynamoDbService } from './dynamodb-service.js';
import { startDynamoDbThread } from './dynamodb-thread.js';
import { ensureTable } from './table.js';
import { ensureQueues, type QueueUrls } from './queues.js';
import {
  QUEUE_SNAPSHOT_FILE,
  queueNameOf,
  restoreQueueSnapshot,
  saveQueueSnapshot,
} from './queue-snapshot.js';

/** Options for {@link startLocalStack}. */
export interface LocalStackOptions {
  /**
   * Keep DynamoDB data on disk here; in memory when absent. SQS runs in memory, so with a data dir
   * the queues' messages (DLQs included) are saved to `queues.json` there on `stop()` and sent
   * back at the next start (receive counts restart; see infra/local/queue-snapshot.ts).
   */
  readonly dataDir?: string;
  readonly tableName?: string;
  readonly region?: string;
  /** Prefix of the local queue names. */
  readonly queuePrefix?: string;
  /**
   * Run dynalite on a worker thread (simulations: the emulator's work runs on a second core);
   * in this thread when absent (tests: no worker start-up per stack).
   */
  readonly dynamoDbThread?: boolean;
}

/** Where the embedded emulators listen. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
}

/** A running embedded stack: emulators on free ports, the table and queues created, clients ready. */
export interface LocalStack {
  readonly region: string;
  readonly tableName: string;
  readonly endpoints: LocalEndpoints;
  readonly queues: Record<QueueName, QueueUrls>;
  readonly clients: {
    readonly dynamodb: DynamoDBClient;
    readonly doc: DynamoDBDocumentClient;
    readonly sqs: SQSClient;
  };
  /** Environment variables that point handlers and `loadConfig` at this stack. */
  readonly environment: Record<string, string>;
  /**
   * Messages ready or delayed in one of this stack's queues, read in-process (no request);
   * `undefined` for a URL the emulator does not know.
   */
  queuedMessages?(queueUrl: string): number | undefined;
  stop(): Promise<void>;
}

/** Credentials the emulators accept; they never validate them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * DynamoDB client options for a local endpoint (requests are not signed, see emulatorSigner).
 * With `requestHandler` the requests go to it instead of over TCP to `endpoint`.
 */
export function localDynamoDbConfig(
  endpoint: string,
  region: string,
  requestHandler?: InProcessHttpHandler,
) {
  return {
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    signer: emulatorSigner(region, 'dynamodb'),
    maxAttempts: 3,
    ...(requestHandler ? { requestHandler } : {}),
  };
}

/**
 * SQS client options for a local endpoint. fauxqs queue URLs name a `sqs.<region>.localhost` host,
 * so the client must keep sending to the endpoint instead of the queue URL's host. Requests are
 * not signed (see emulatorSigner).
 */
export function localSqsConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    signer: emulatorSigner(region, 'sqs'),
    useQueueUrlAsEndpoint: false,
    maxAttempts: 3,
  };
}

/**
 * Starts dynalite and fauxqs in this process on free loopback ports, creates the table and queues
 * from the same definitions the CDK stack uses, and returns configured SDK clients.
 *
 * @example
 * const stack = await startLocalStack();
 * try { ... } finally { await stack.stop(); }
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? 'engagement-agent-local';
  let dynamoPath: string | undefined;
  if (options.dataDir) {
    dynamoPath = join(options.dataDir, 'dynamodb');
    await mkdir(dynamoPath, { recursive: true });
  }

  const dynamoOptions = dynamoPath ? { path: dynamoPath } : {};
  const dynamo: DynamoDbService = options.dynamoDbThread
    ? await startDynamoDbThread(dynamoOptions)
    : await startDynamoDb(dynamoOptions);
  const sqsServer = await startFauxqs({
    port: 0,
    host: 'localhost',
    logger: false,
    defaultRegion: region,
  }).catch(async (error: unknown) => {
    await dynamo.close();
    throw error;
  });

  const endpoints: LocalEndpoints = {
    dynamodb: `http://127.0.0.1:${dynamo.port}`,
    sqs: `http://127.0.0.1:${sqsServer.port}`,
  };
  const dynamodb = leanEmulatorClient(
    new DynamoDBClient(
      localDynamoDbConfig(endpoints.dynamodb, region, new InProcessHttpHandler(dynamo.dispatch)),
    ),
  );
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = leanEmulatorClient(new SQSClient(localSqsConfig(endpoints.sqs, region)));

  let queueUrls: string[] = [];
  const stop = async (): Promise<void> => {
    try {
      if (options.dataDir && queueUrls.length > 0) {
        await saveQueueSnapshot(
          sqsServer,
          queueUrls.map(queueNameOf),
          join(options.dataDir, QUEUE_SNAPSHOT_FILE),
        );
      }
    } finally {
      dynamodb.destroy();
      sqs.destroy();
      await Promise.allSettled([dynamo.close(), sqsServer.stop()]);
    }
  };

  try {
    await ensureTable(dynamodb, tableName);
    const queues = await ensureQueues(sqs, options.queuePrefix ?? 'agent-local');
    if (options.dataDir) {
      const urls = Object.values(queues).flatMap((urls) => [urls.url, urls.dlqUrl]);
      await restoreQueueSnapshot(
        sqs,
        new Map(urls.map((url) => [queueNameOf(url), url])),
        join(options.dataDir, QUEUE_SNAPSHOT_FILE),
      );
      queueUrls = urls;
    }
    return {
      region,
      tableName,
      endpoints,
      queues,
      clients: { dynamodb, doc, sqs },
      queuedMessages: (queueUrl) => {
        const messages = sqsServer.inspectQueue(queueNameOf(queueUrl))?.messages;
        return messages ? messages.ready.length + messages.delayed.length : undefined;
      },
      environment: {
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        TABLE_NAME: tableName,
        DYNAMODB_ENDPOINT: endpoints.dynamodb,
        SQS_ENDPOINT: endpoints.sqs,
        SEND_QUEUE_URL: queues.send.url,
        INGEST_QUEUE_URL: queues.ingest.url,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
