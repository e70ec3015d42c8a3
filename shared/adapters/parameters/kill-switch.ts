import { errorText } from '../../observability/error-text.js';
import {
  formatKillSwitchValue,
  parseKillSwitchValue,
  type KillSwitchState,
} from '../../domain/gates.js';
import type { ParameterStore } from './parameter-store.js';

/**
 * How long a function instance reuses a kill-switch read (the Powertools Parameters cache TTL of
 * its `SsmParameterStore`): a flip stops sends and cycles within this many seconds, and a
 * busy sender asks SSM at most once per interval instead of once per message (GetParameter's
 * default throughput is 40 TPS per account).
 */
export const KILL_SWITCH_CACHE_SECONDS = 5;

/** Reads and flips the global kill switch kept in one parameter. */
export class KillSwitch {
  constructor(
    private readonly store: ParameterStore,
    readonly parameterName: string,
  ) {}

  /**
   * The switch's state, failing closed: a missing parameter or a failed read is reported as
   * `unreadable` (callers treat that as on), never as off.
   */
  async read(): Promise<KillSwitchState | { readonly unreadable: string }> {
    try {
      const value = await this.store.get(this.parameterName);
      if (value === undefined)
        return { unreadable: `parameter ${this.parameterName} does not exist` };
      return parseKillSwitchValue(value);
    } catch (error) {
      return { unreadable: errorText(error) };
    }
  }

  /** Turns the switch on or off, recording why, when and by whom. */
  async set(
    on: boolean,
    details: { reason?: string; changedBy?: string; now: Date },
  ): Promise<KillSwitchState> {
    const state: KillSwitchState = {
      on,
      changedAt: details.now.toISOString(),
      ...(details.reason ? { reason: details.reason } : {}),
      ...(details.changedBy ? { changedBy: details.changedBy } : {}),
    };
    await this.store.put(
      this.parameterName,
      formatKillSwitchValue(state),
      'Global kill switch: "off" lets the agent run; anything else stops it.',
    );
    return state;
  }
}
