import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, ValidationError } from '../errors.js';
import type { RunRecord, RunStatus } from '../domain/entities.js';
import { SK_PREFIX, keys, tenantPartition } from './keys.js';
import { queryPage, type Page, type PageOptions, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';
import type { PhaseRecord } from '../domain/entities.js';
import { livePhasesOf, withLivePhases } from './live-run.js';

/** What a run starts with. */
export interface StartRunInput {
  readonly hourKey: string;
  readonly runId: string;
  readonly executionName?: string;
}

/** How a run ends. */
export interface FinishRunInput {
  readonly status: Exclude<RunStatus, 'RUNNING'>;
  readonly reason?: string;
  readonly error?: { readonly phase?: string; readonly message: string };
  readonly counts?: Readonly<Record<string, number>>;
}

/**
 * Run records: one item per tenant-hour (`RUN#<hourKey>`), numbered by a per-tenant atomic counter.
 */
export class RunRepository {
  constructor(private readonly ctx: TableContext) {}

  /**
   * Creates the run record for a tenant-hour with the next cycle number. A second start for the
   * same tenant-hour throws {@link AlreadyExistsError}; its counter increment leaves a gap in the
   * numbering, which is harmless (numbers stay unique and increasing).
   */
  async start(tenantId: string, input: StartRunInput): Promise<RunRecord> {
    const key = keys.run(tenantId, input.hourKey);
    const cycleNumber = await this.nextCycleNumber(tenantId);
    const record: RunRecord = {
      tenantId,
      hourKey: input.hourKey,
      runId: input.runId,
      cycleNumber,
      status: 'RUNNING',
      startedAt: this.ctx.clock.now().toISOString(),
      phases: {},
      counts: {},
      ...(input.executionName ? { executionName: input.executionName } : {}),
    };
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: { ...key, entity: 'run', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new AlreadyExistsError(`Run ${input.hourKey} for tenant ${tenantId}`);
      }
      throw error;
    }
    return record;
  }

  /** Records the start of a phase on a run; returns the recorded start time. */
  async startPhase(tenantId: string, hourKey: string, phase: string): Promise<string> {
    assertPhaseName(phase);
    const startedAt = this.ctx.clock.now().toISOString();
    await this.update(
      tenantId,
      hourKey,
      'SET phases.#phase = :record',
      { '#phase': phase },
      {
        ':record': { startedAt },
      },
    );
    return startedAt;
  }

  /**
   * Records the end of a phase (duration from its recorded start) and optional error. With
   * `ending.startedAt` (what {@link startPhase} returned) the run is not read first, and
   * `ending.patch` (the phase's counters and figures) is written in the same update.
   */
  async endPhase(
    tenantId: string,
    hourKey: string,
    phase: string,
    error?: string,
    ending: { startedAt?: string; patch?: RunPatch } = {},
  ): Promise<void> {
    assertPhaseName(phase);
    const started =
      ending.startedAt ?? (await this.get(tenantId, hourKey))?.phases[phase]?.startedAt;
    const now = this.ctx.clock.now();
    const patch = patchExpression(ending.patch ?? {});
    await this.update(
      tenantId,
      hourKey,
      `SET ${['phases.#phase = :record', ...patch.clauses].join(', ')}`,
      { '#phase': phase, ...patch.names },
      {
        ':record': {
          startedAt: started ?? now.toISOString(),
          endedAt: now.toISOString(),
          durationMs: started ? now.getTime() - new Date(started).getTime() : 0,
          ...(error ? { error } : {}),
        },
        ...patch.values,
      },
    );
  }

  /** Adds to named counters of a run atomically (e.g. `actionsPlanned`). */
  async addCounts(
    tenantId: string,
    hourKey: string,
    counts: Readonly<Record<string, number>>,
  ): Promise<void> {
    if (Object.keys(counts).length === 0) return;
    const patch = patchExpression({ counts });
    await this.update(
      tenantId,
      hourKey,
      `SET ${patch.clauses.join(', ')}`,
      patch.names,
      patch.values,
    );
  }

  /** Sets the final status of a run. */
  async finish(tenantId: string, hourKey: string, input: FinishRunInput): Promise<void> {
    const sets = ['#status = :status', 'endedAt = :now'];
    const values: Record<string, unknown> = {
      ':status': input.status,
      ':now': this.ctx.clock.now().toISOString(),
    };
    if (input.reason) {
      sets.push('reason = :reason');
      values[':reason'] = input.reason;
    }
    if (input.error) {
      sets.push('#error = :error');
      values[':error'] = input.error;
    }
    await this.update(
      tenantId,
      hourKey,
      `SET ${sets.join(', ')}`,
      { '#status': 'status', ...(input.error ? { '#error': 'error' } : {}) },
      values,
    );
    if (input.counts) await this.addCounts(tenantId, hourKey, input.counts);
  }

  /**
   * Writes a run's phases (by name), what they recorded and, with `finish`, its final status, in
   * one update: how a run's end writes the phases it ended on the tenant lock (see
   * `TenantLockRepository.endPhase`) to the run record.
   */
  async finishWithPhases(
    tenantId: string,
    hourKey: string,
    ending: {
      readonly phases: Readonly<Record<string, PhaseRecord>>;
      readonly patch: RunPatch;
      readonly finish?: FinishRunInput;
    },
  ): Promise<void> {
    const patch = patchExpression(ending.patch);
    const names: Record<string, string> = { ...patch.names };
    const values: Record<string, unknown> = { ...patch.values };
    const clauses = Object.entries(ending.phases).map(([phase, record], i) => {
      assertPhaseName(phase);
      names[`#p${i}`] = phase;
      values[`:p${i}`] = record;
      return `phases.#p${i} = :p${i}`;
    });
    const { finish } = ending;
    if (finish) {
      clauses.push('#status = :status', 'endedAt = :now');
      names['#status'] = 'status';
      values[':status'] = finish.status;
      values[':now'] = this.ctx.clock.now().toISOString();
      if (finish.reason) {
        clauses.push('reason = :reason');
        values[':reason'] = finish.reason;
      }
      if (finish.error) {
        clauses.push('#error = :error');
        names['#error'] = 'error';
        values[':error'] = finish.error;
      }
    }
    clauses.push(...patch.clauses);
    if (clauses.length === 0) return;
    await this.update(tenantId, hourKey, `SET ${clauses.join(', ')}`, names, values);
  }

  /** Stores what React folded, for Reflect and operators. */
  async setReactSummary(
    tenantId: string,
    hourKey: string,
    summary: NonNullable<RunRecord['react']>,
  ): Promise<void> {
    await this.update(tenantId, hourKey, 'SET react = :summary', {}, { ':summary': summary });
  }

  /** Stores what Plan saw (engagement stats and open pipeline), for Act and operators. */
  async setSituation(
    tenantId: string,
    hourKey: string,
    situation: {
      engagement: NonNullable<RunRecord['engagement']>;
      pipeline: NonNullable<RunRecord['pipeline']>;
    },
  ): Promise<void> {
    await this.update(
      tenantId,
      hourKey,
      'SET engagement = :engagement, pipeline = :pipeline',
      {},
      {
        ':engagement': situation.engagement,
        ':pipeline': situation.pipeline,
      },
    );
  }

  /**
   * Stores the tenant's engagement stats as of this run and, when the run set it, the tenant's next
   * wake time (the hours before it are skipped as idle).
   */
  async setEngagement(
    tenantId: string,
    hourKey: string,
    stats: NonNullable<RunRecord['engagement']>,
    nextWakeAt?: string,
  ): Promise<void> {
    await this.update(
      tenantId,
      hourKey,
      nextWakeAt ? 'SET engagement = :stats, nextWakeAt = :wake' : 'SET engagement = :stats',
      {},
      { ':stats': stats, ...(nextWakeAt ? { ':wake': nextWakeAt } : {}) },
    );
  }

  /** Reads one run record, or `undefined`. */
  async get(tenantId: string, hourKey: string): Promise<RunRecord | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.run(tenantId, hourKey),
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const [run] = await this.withLive(tenantId, [withoutStorageAttributes<RunRecord>(result.Item)]);
    return run;
  }

  /**
   * Applies the phases a run in progress has ended on the tenant lock (one more read, only when a
   * listed run is RUNNING), so a run reads the same before and after its end is written.
   */
  private async withLive(tenantId: string, runs: RunRecord[]): Promise<RunRecord[]> {
    if (!runs.some((run) => run.status === 'RUNNING')) return runs;
    const lock = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.cycleLock(tenantId),
        ConsistentRead: true,
      }),
    );
    return runs.map((run) =>
      run.status === 'RUNNING' ? withLivePhases(run, livePhasesOf(lock.Item, run.runId)) : run,
    );
  }

  /** Lists a tenant's runs, newest first unless `oldestFirst` is set. */
  async list(
    tenantId: string,
    options: PageOptions & { oldestFirst?: boolean } = {},
  ): Promise<Page<RunRecord>> {
    const pk = tenantPartition(tenantId);
    const page = await queryPage(
      this.ctx,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': SK_PREFIX.run },
        ScanIndexForward: options.oldestFirst ?? false,
      },
      {
        partition: { attribute: 'pk', value: pk },
        options,
        defaultLimit: 50,
        toItem: (item) => withoutStorageAttributes<RunRecord>(item),
      },
    );
    return { ...page, items: await this.withLive(tenantId, [...page.items]) };
  }

  private async nextCycleNumber(tenantId: string): Promise<number> {
    const result = await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.cycleCounter(tenantId),
        UpdateExpression: 'ADD #value :one SET entity = :entity',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': 1, ':entity': 'counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.['value']);
  }

  private async update(
    tenantId: string,
    hourKey: string,
    expression: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.run(tenantId, hourKey),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: expression,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new ValidationError('hourKey', `no run ${hourKey} for tenant ${tenantId}`);
      }
      throw error;
    }
  }
}

/**
 * What a phase writes to its run record besides its timing: counters to add to and figures to
 * set, written with the phase's end in one update (see `RunRepository.endPhase`).
 */
export interface RunPatch {
  readonly counts?: Readonly<Record<string, number>>;
  readonly engagement?: NonNullable<RunRecord['engagement']>;
  readonly pipeline?: NonNullable<RunRecord['pipeline']>;
  readonly react?: NonNullable<RunRecord['react']>;
  readonly nextWakeAt?: string;
}

const PATCH_FIELDS = ['engagement', 'pipeline', 'react', 'nextWakeAt'] as const;

function patchExpression(patch: RunPatch): {
  clauses: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses = Object.entries(patch.counts ?? {}).map(([name, value], i) => {
    assertPhaseName(name);
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    values[':zero'] = 0;
    return `counts.#c${i} = if_not_exists(counts.#c${i}, :zero) + :c${i}`;
  });
  for (const field of PATCH_FIELDS) {
    if (patch[field] === undefined) continue;
    clauses.push(`#f_${field} = :f_${field}`);
    names[`#f_${field}`] = field;
    values[`:f_${field}`] = patch[field];
  }
  return { clauses, names, values };
}

function assertPhaseName(name: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
    throw new ValidationError('phase', `expected an identifier, got ${JSON.stringify(name)}`);
  }
}
