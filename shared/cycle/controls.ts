import { TIER_QUOTAS, usageFromCards, type ActionControls } from '../domain/policy/controls.js';
import type { TenantSettings } from '../domain/tenant.js';
import type { PhaseContext } from './phase.js';
import type { ActionCard } from '../domain/actions.js';

/**
 * The tenant's feature flags, tier quota and quota usage for Act's policy context: usage comes
 * from the cards the policy allowed earlier this UTC day (`dayCards`: the day's card range, which
 * Act reads once, or only the run's cards when Plan counted the other hours' allowed sends,
 * `sendsElsewhereToday`).
 */
export function actionControls(
  settings: TenantSettings,
  phase: Pick<PhaseContext, 'hourKey'>,
  dayCards: readonly ActionCard[],
  sendsElsewhereToday = 0,
): ActionControls {
  const usage = usageFromCards(dayCards, phase.hourKey);
  return {
    tier: settings.tier,
    features: settings.features ?? {},
    quota: TIER_QUOTAS[settings.tier],
    usage: { ...usage, sendsToday: usage.sendsToday + sendsElsewhereToday },
  };
}
