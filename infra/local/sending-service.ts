import { seededRandom } from '../../shared/ids.js';
import type { SimulationService, SimulationSetup } from './simulation-services.js';
import { createLocalSender, type LocalSender } from './local-sender.js';
import { startLocalSes, type LocalSes } from './ses-emulator.js';

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
export function createSendingService(): SimulationService {
  let ses: LocalSes | undefined;
  let sender: LocalSender | undefined;
  return {
    name: 'sending',
    async start(setup: SimulationSetup) {
      ses = await startLocalSes(setup.stack.region);
      sender = createLocalSender({
        doc: setup.stack.clients.doc,
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
      });
    },
    async duringHour(context) {
      if (!sender) throw new Error('sending service not started');
      await sender.drain.runUntil(context.hourEnd, context.advanceTo);
    },
    async stop() {
      await ses?.stop();
      ses = undefined;
      sender = undefined;
    },
  };
}
