import { TIER_QUOTAS, usageFromCards, type ActionControls } from '../domain/policy/controls.js';
import type { TenantSettings } from '../domain/tenant.js';
import type { PhaseContext } from './phase.js';
import type { CycleRuntime } from './runtime.js';

/**
 * The tenant's feature flags, tier quota and quota usage for Act's policy context: usage comes
 * from the cards the policy allowed earlier this UTC day (one query on the day's card range,
 * skipped when Act has no card to decide).
 */
export async function loadActionControls(
  runtime: CycleRuntime,
  settings: TenantSettings,
  phase: PhaseContext,
  pendingCards: number,
): Promise<ActionControls> {
  const cards =
    pendingCards > 0
      ? await runtime.repos.cards.listForDay(phase.tenantId, phase.hourKey.slice(0, 8))
      : [];
  return {
    tier: settings.tier,
    features: settings.features ?? {},
    quota: TIER_QUOTAS[settings.tier],
    usage: usageFromCards(cards, phase.hourKey),
  };
}
