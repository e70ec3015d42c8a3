import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendingState } from '../domain/send-gate.js';
import {
  circuitAfterFailure,
  type CircuitState,
  type DeliverabilityStats,
  type WarmUpState,
} from '../domain/deliverability.js';
import { keys } from './keys.js';
import type { TableContext } from './table-client.js';
import { isConditionalCheckFailed } from './items.js';

/**
 * A tenant's sending state, one item (`SENDING#state`): the deliverability pause, the warm-up
 * ladder position, the provider circuit and the latest deliverability snapshot. Each field changes
 * with one conditional update; the circuit carries a version so concurrent failures are not lost.
 */
export class SendingStateRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Reads the state item as a {@link SendingState} (empty when absent). */
  static fromItem(item: Record<string, unknown> | undefined): SendingState {
    if (!item) return {};
    return {
      ...(isObject(item['paused'])
        ? { paused: item['paused'] as SendingState['paused'] & object }
        : {}),
      ...(isObject(item['warmUp']) ? { warmUp: item['warmUp'] as unknown as WarmUpState } : {}),
      ...(isObject(item['circuit']) ? { circuit: item['circuit'] as unknown as CircuitState } : {}),
      ...(isObject(item['deliverability'])
        ? { deliverability: item['deliverability'] as unknown as DeliverabilityStats }
        : {}),
    };
  }

  /** The state as stored (strongly consistent). */
  async get(tenantId: string): Promise<SendingState & { readonly circuitVersion: number }> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.sendingState(tenantId),
        ConsistentRead: true,
      }),
    );
    return {
      ...SendingStateRepository.fromItem(result.Item),
      circuitVersion: Number(result.Item?.['circuitVersion'] ?? 0),
    };
  }

  /**
   * Records one provider failure and returns the circuit after it (`opened` when this failure
   * opened it). Optimistic: retried on a concurrent change, so no failure is lost.
   */
  async recordProviderFailure(
    tenantId: string,
    now: Date,
  ): Promise<CircuitState & { readonly opened: boolean }> {
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.get(tenantId);
      const next = circuitAfterFailure(current.circuit, now);
      const { opened: _opened, ...circuit } = next;
      try {
        await this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tableName,
            Key: keys.sendingState(tenantId),
            // circuitUnchangedSinceRead
            ConditionExpression:
              'attribute_not_exists(circuitVersion) OR circuitVersion = :version',
            UpdateExpression:
              'SET circuit = :circuit, circuitVersion = :nextVersion, entity = :entity, tenantId = :tenantId',
            ExpressionAttributeValues: {
              ':circuit': circuit,
              ':version': current.circuitVersion,
              ':nextVersion': current.circuitVersion + 1,
              ':entity': 'sending_state',
              ':tenantId': tenantId,
            },
          }),
        );
        return next;
      } catch (error) {
        if (!isConditionalCheckFailed(error) || attempt >= 4) throw error;
      }
    }
  }

  /** Closes the circuit after a successful send (only writes when failures were recorded). */
  async resetCircuit(tenantId: string): Promise<void> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.sendingState(tenantId),
          ConditionExpression: 'attribute_exists(circuit)',
          UpdateExpression: 'REMOVE circuit ADD circuitVersion :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Pauses the tenant's sending; returns false when it was already paused (the first reason stays). */
  async pause(
    tenantId: string,
    pause: { reason: string; detail?: string; at: Date },
  ): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.sendingState(tenantId),
          // notAlreadyPaused
          ConditionExpression: 'attribute_not_exists(paused)',
          UpdateExpression: 'SET paused = :paused, entity = :entity, tenantId = :tenantId',
          ExpressionAttributeValues: {
            ':paused': {
              reason: pause.reason,
              at: pause.at.toISOString(),
              ...(pause.detail ? { detail: pause.detail } : {}),
            },
            ':entity': 'sending_state',
            ':tenantId': tenantId,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Lifts a deliverability pause (an operator decision after fixing the cause). */
  async resume(tenantId: string): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.sendingState(tenantId),
        UpdateExpression: 'REMOVE paused',
      }),
    );
  }

  /** Stores the latest deliverability snapshot (the warm-up ladder reads it). */
  async setDeliverability(tenantId: string, stats: DeliverabilityStats): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.sendingState(tenantId),
        UpdateExpression: 'SET deliverability = :stats, entity = :entity, tenantId = :tenantId',
        ExpressionAttributeValues: {
          ':stats': stats,
          ':entity': 'sending_state',
          ':tenantId': tenantId,
        },
      }),
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
