/** The email rollout ladder, from safest to fully live (DESIGN.md section 5). */
export const SEND_MODES = ['dry_run', 'internal_only', 'limited_live', 'production'] as const;

export type SendMode = (typeof SEND_MODES)[number];

/** True when `value` is one of the known send modes. */
export function isSendMode(value: unknown): value is SendMode {
  return typeof value === 'string' && (SEND_MODES as readonly string[]).includes(value);
}

/**
 * Reads a send mode, failing closed: an absent value is `dry_run`, an unknown one is `dry_run`
 * together with a warning the caller must log.
 */
export function parseSendMode(value: string | undefined): { mode: SendMode; warning?: string } {
  if (value === undefined || value.trim() === '') return { mode: 'dry_run' };
  const normalized = value.trim().toLowerCase();
  if (isSendMode(normalized)) return { mode: normalized };
  return {
    mode: 'dry_run',
    warning: `Unknown send mode "${value}"; falling back to dry_run (known: ${SEND_MODES.join(', ')})`,
  };
}
