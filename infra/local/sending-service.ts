import { seededRandom } from '../../shared/ids.js';
import type { SimulationService, SimulationSetup } from './simulation-services.js';
import { createLocalSender, type LocalSender, type LocalSenderOptions } from './local-sender.js';
import { startLocalSes, type LocalSes, type StoredEmail } from './ses-emulator.js';

/** Hooks for tests and the bench: fault injection and a look at what reached SES. */
export interface SendingServiceOptions {
  /** Wraps the sender after SES accepted the message (lost responses, crashes after acceptance). */
  readonly afterAcceptance?: LocalSenderOptions['afterAcceptance'];
  /** Wraps the sender's DynamoDB client (e.g. to crash the sender right after a write). */
  readonly wrapDoc?: (doc: LocalSenderOptions['doc']) => LocalSenderOptions['doc'];
  /** Runs at the start of every slice of a simulated hour, before the send queue is drained. */
  readonly beforeDrain?: (hourStart: Date, sender: LocalSender) => Promise<void>;
  /** Receives every message the SES emulator accepted, before it stops. */
  readonly onStop?: (emails: StoredEmail[], sender: LocalSender | undefined) => Promise<void>;
}

/**
 * The sender as a simulation service: starts aws-ses-v2-local, and during every simulated hour
 * drains the send queue through the real sender handler (middy + Powertools batch processing) on
 * the virtual clock. Deferred sends and retries wait in virtual time: the service moves the clock
 * to the next instant a delayed message becomes visible, within the hour, and drains again; what
 * is due later waits for a later hour. Nothing sleeps.
 *
 * Send mode: the simulation's mode (`--send-mode`, else the fixture's `global.sendMode`) plays the
 * deployment's `SEND_MODE`. A tenant without a `sendMode` of its own uses it; a tenant with one
 * uses the stricter of the two (the deployment is a ceiling, as in AWS), so `--send-mode
 * production` never lifts a tenant the fixture holds at `dry_run`.
 *
 * Every decision lands in the outcome inbox, from which the report's `emails[]` is built.
 */
export function createSendingService(options: SendingServiceOptions = {}): SimulationService {
  let ses: LocalSes | undefined;
  let sender: LocalSender | undefined;
  return {
    name: 'sending',
    async start(setup: SimulationSetup) {
      ses = await startLocalSes(setup.stack.region);
      // The emulator's store is shared by every instance in a process: start from an empty one.
      await ses.clear();
      sender = createLocalSender({
        doc: options.wrapDoc ? options.wrapDoc(setup.stack.clients.doc) : setup.stack.clients.doc,
        tableName: setup.stack.tableName,
        sqs: setup.stack.clients.sqs,
        queueUrl: setup.stack.queues.send.url,
        deadLetterQueueUrl: setup.stack.queues.send.dlqUrl,
        ses: ses.client,
        clock: setup.clock,
        parameters: setup.parameters,
        sendMode: setup.sendMode,
        random: seededRandom(setup.fixture.global.seed * 7_919 + 5),
        metric: setup.runtime.metric,
        ...(options.afterAcceptance ? { afterAcceptance: options.afterAcceptance } : {}),
        ...(setup.stack.queuedMessages
          ? { queued: () => setup.stack.queuedMessages?.(setup.stack.queues.send.url) }
          : {}),
      });
    },
    async duringHour(context) {
      if (!sender) throw new Error('sending service not started');
      if (options.beforeDrain) await options.beforeDrain(context.at, sender);
      await sender.drain.runUntil(context.hourEnd, context.advanceTo);
    },
    async stop() {
      if (ses && options.onStop) await options.onStop(await ses.emails(), sender);
      await ses?.stop();
      ses = undefined;
      sender = undefined;
    },
  };
}
