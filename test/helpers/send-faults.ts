import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EmailSender } from '../../shared/adapters/ses/email-sender.js';
import { seededRandom } from '../../shared/ids.js';

/** A fault schedule for the send path, every choice drawn from one seed. */
export interface SendFaultSchedule {
  readonly seed: number;
  /** Share of SES calls whose answer is lost after SES accepted the message (timeout). */
  readonly lostResponseRate: number;
  /** Share of the sender's DynamoDB writes after which the sender "crashes" (throws). */
  readonly crashAfterWriteRate: number;
  /** Every sender write crashes in [from, until): messages exhaust their receives and dead-letter. */
  readonly crashStorm?: { readonly from: Date; readonly until: Date };
  /** SES refuses connections (nothing accepted) in [from, until). */
  readonly outage?: { readonly from: Date; readonly until: Date };
  /** The virtual clock, to place the outage. */
  readonly now: () => Date;
}

/** Counts of what the faults did. */
export interface FaultCounts {
  lostResponses: number;
  crashes: number;
  refused: number;
}

/**
 * Builds the two wrappers the sending service takes: one around SES after acceptance (an outage
 * refuses before SES sees the message; a lost response throws after SES took it) and one around
 * the sender's DynamoDB client (throws right after a successful write, as a Lambda that dies
 * between two steps).
 */
export function sendFaults(schedule: SendFaultSchedule): {
  readonly afterAcceptance: (sender: EmailSender) => EmailSender;
  readonly wrapDoc: (doc: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  readonly counts: FaultCounts;
} {
  const random = seededRandom(schedule.seed);
  const counts: FaultCounts = { lostResponses: 0, crashes: 0, refused: 0 };
  return {
    counts,
    afterAcceptance: (inner) => ({
      async send(email) {
        const now = schedule.now().getTime();
        if (
          schedule.outage &&
          now >= schedule.outage.from.getTime() &&
          now < schedule.outage.until.getTime()
        ) {
          counts.refused += 1;
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        }
        const result = await inner.send(email);
        if (random() < schedule.lostResponseRate) {
          counts.lostResponses += 1;
          throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
        }
        return result;
      },
    }),
    wrapDoc: (doc) =>
      new Proxy(doc, {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
            const result = await (target.send as (...args: unknown[]) => Promise<unknown>)(
              command,
              ...rest,
            );
            const isWrite = /^(Put|Update|Delete)/.test(command.constructor.name);
            const now = schedule.now().getTime();
            const storm =
              schedule.crashStorm !== undefined &&
              now >= schedule.crashStorm.from.getTime() &&
              now < schedule.crashStorm.until.getTime();
            if (isWrite && (storm || random() < schedule.crashAfterWriteRate)) {
              counts.crashes += 1;
              throw Object.assign(new Error('injected crash after a write'), {
                name: 'InjectedCrash',
              });
            }
            return result;
          };
        },
      }),
  };
}
