import type { VirtualClock } from '../../shared/clock.js';
import type { ParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import type { Fixture } from './fixture.js';
import type { LocalStack } from './local-stack.js';
import type { TenantReport } from './report.js';
import { GmailIngestService } from './gmail-ingest-service.js';
import { createSendingService } from './sending-service.js';

/** What a simulation service sees of the running simulation. */
export interface SimulationSetup {
  readonly stack: LocalStack;
  readonly clock: VirtualClock;
  readonly runtime: CycleRuntime;
  readonly parameters: ParameterStore;
  readonly fixture: Fixture;
  readonly sendMode: SendMode;
  readonly start: Date;
}

/**
 * One 5-minute slice of a simulated hour, after that hour's cycles ran. Services take turns slice
 * by slice, so each sees the others' effects in virtual-time order.
 */
export interface HourContext extends SimulationSetup {
  /** The start of the slice (the clock is at or after it). */
  readonly at: Date;
  /** The end of the slice; services must stay before it. */
  readonly hourEnd: Date;
  /** Moves the virtual clock forward to `instant` (never backwards, never to `hourEnd` or past). */
  advanceTo(instant: Date): void;
}

/**
 * A part of the system that runs outside the hourly cycle (the sender draining the send queue,
 * the Gmail poller and ingest), driven by the simulator through virtual time.
 */
export interface SimulationService {
  readonly name: string;
  /** Called once after seeding, before the first hour. */
  start?(setup: SimulationSetup): Promise<void>;
  /** Runs the service through one slice of the hour; may advance the clock within the slice. */
  duringHour?(context: HourContext): Promise<void>;
  /** Fields this service contributes to a tenant's report section. */
  report?(tenantId: string, window: { start: Date; end: Date }): Promise<Partial<TenantReport>>;
  /** Releases what `start` opened (servers, timers). */
  stop?(): Promise<void>;
}

/**
 * The services a simulation runs, in order. Each capability registers its factory here; the
 * simulator itself knows none of them.
 */
export const SIMULATION_SERVICE_FACTORIES: readonly (() => SimulationService)[] = [
  // The sender runs first: it drains what Act enqueued at the top of the hour, before ingest
  // moves the virtual clock through the hour's 5-minute polls.
  createSendingService,
  () => new GmailIngestService(),
];
