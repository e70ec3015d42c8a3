import type { ActionCard } from '../domain/actions.js';
import type { Account, Contact, RunRecord } from '../domain/entities.js';
import type { Bid, Deal } from '../domain/pipeline.js';
import type { TenantSettings } from '../domain/tenant.js';
import { TenantNotFoundError } from '../errors.js';
import { SK_PREFIX, keys, type ItemKey } from './keys.js';
import { batchGetAll, queryTenantRange, type TableContext } from './table-client.js';
import { withoutStorageAttributes } from './items.js';
import { entityFromItem } from './entity-repository.js';
import { reactCursorPosition } from './outcome-repository.js';
import type { Reflection } from './reflection-repository.js';
import { livePhasesOf, withLivePhases, type LivePhases } from './live-run.js';

/** Which of a tenant's items one step needs besides its settings. */
export interface WorkingSetRequest {
  /** The run record of this tenant-hour. */
  readonly hourKey?: string;
  readonly contactIds?: readonly string[];
  readonly accountIds?: readonly string[];
  /** Addresses whose suppression entries to look up (any case). */
  readonly emails?: readonly string[];
  /** React's outcome cursor. */
  readonly reactCursor?: boolean;
  /** Cards of one run by id (`ACTION#<hourKey>#<cardId>`). */
  readonly cards?: { readonly hourKey: string; readonly cardIds: readonly string[] };
  /** The reflection of this tenant-hour (`REFLECT#<hourKey>`). */
  readonly reflectionHourKey?: string;
}

/** A tenant's items as one step reads them, all from one consistent read. */
export interface WorkingSet {
  readonly settings: TenantSettings;
  readonly run: RunRecord | undefined;
  readonly contacts: Map<string, Contact>;
  readonly accounts: Map<string, Account>;
  /** The requested addresses (lower case) that are suppressed. */
  readonly suppressed: Set<string>;
  /** React's committed write position, when requested and set. */
  readonly reactCursor: string | undefined;
  /** The requested cards that exist, in plan order. */
  readonly cards: ActionCard[];
  /** The requested reflection, when it exists. */
  readonly reflection: Reflection | undefined;
  /**
   * With `hourKey`: the phases the hour's run has ended on the tenant lock so far, as read with
   * the run record (undefined when the lock carries none for that run).
   */
  readonly livePhases?: LivePhases | undefined;
}

/**
 * Reads a step's working set inside one tenant's partition (settings, run record with the phases
 * its lock carries while it runs, contacts, accounts, suppression entries, React's cursor, a
 * run's cards, a reflection) with consistent `BatchGetItem` requests (one for
 * up to 100 keys) instead of one `GetItem` each.
 */
export class TenantWorkingSetRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Every contact, deal and bid of the tenant in one Query (see {@link readContactsAndPipeline}). */
  contactsAndPipeline(tenantId: string): Promise<ContactsAndPipeline> {
    return readContactsAndPipeline(this.ctx, tenantId);
  }

  /** The tenant's accounts among `accountIds`, by id, in one batched read. */
  async accounts(tenantId: string, accountIds: readonly string[]): Promise<Map<string, Account>> {
    const ids = unique(accountIds);
    if (ids.length === 0) return new Map();
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < ids.length; i += 100)
      items.push(
        ...(await batchGetAll(
          this.ctx,
          ids.slice(i, i + 100).map((id) => keys.account(tenantId, id)),
        )),
      );
    return new Map(
      items.map((item) => {
        const account = entityFromItem<Account>(item);
        return [account.accountId, account] as const;
      }),
    );
  }

  /** Reads the working set of `request`; throws {@link TenantNotFoundError} without settings. */
  async require(tenantId: string, request: WorkingSetRequest = {}): Promise<WorkingSet> {
    const set = await this.read(tenantId, request);
    if (!set.settings) throw new TenantNotFoundError(tenantId);
    return { ...set, settings: set.settings };
  }

  /** Reads the working set of `request`; `settings` is undefined when the tenant does not exist. */
  async read(
    tenantId: string,
    request: WorkingSetRequest = {},
  ): Promise<Omit<WorkingSet, 'settings'> & { readonly settings: TenantSettings | undefined }> {
    const emails = [...new Set((request.emails ?? []).map((email) => email.trim().toLowerCase()))];
    const cards = request.cards;
    const cardKeys = cards
      ? unique(cards.cardIds).map((id) => keys.action(tenantId, cards.hourKey, id))
      : [];
    const wanted: ItemKey[] = [
      keys.tenantSettings(tenantId),
      // The lock carries the phases a run in progress ended (applied to the run record below).
      ...(request.hourKey ? [keys.run(tenantId, request.hourKey), keys.cycleLock(tenantId)] : []),
      ...unique(request.contactIds).map((id) => keys.contact(tenantId, id)),
      ...unique(request.accountIds).map((id) => keys.account(tenantId, id)),
      ...emails.map((email) => keys.suppression(tenantId, email)),
      ...(request.reactCursor ? [keys.reactCursor(tenantId)] : []),
      ...cardKeys,
      ...(request.reflectionHourKey ? [keys.reflection(tenantId, request.reflectionHourKey)] : []),
    ];
    const bySk = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < wanted.length; i += 100) {
      const items = await batchGetAll(this.ctx, wanted.slice(i, i + 100), {
        consistentRead: true,
      });
      for (const item of items) bySk.set(String(item['sk']), item);
    }
    const settingsItem = bySk.get(keys.tenantSettings(tenantId).sk);
    const runItem = request.hourKey ? bySk.get(keys.run(tenantId, request.hourKey).sk) : undefined;
    const reflectionItem = request.reflectionHourKey
      ? bySk.get(keys.reflection(tenantId, request.reflectionHourKey).sk)
      : undefined;
    const found = <T>(ids: readonly string[] | undefined, key: (id: string) => ItemKey) =>
      new Map(
        unique(ids).flatMap((id) => {
          const item = bySk.get(key(id).sk);
          return item ? [[id, entityFromItem<T>(item)] as const] : [];
        }),
      );
    return {
      settings: settingsItem ? withoutStorageAttributes<TenantSettings>(settingsItem) : undefined,
      run: runItem ? runOf(runItem, bySk.get(keys.cycleLock(tenantId).sk)) : undefined,
      contacts: found<Contact>(request.contactIds, (id) => keys.contact(tenantId, id)),
      accounts: found<Account>(request.accountIds, (id) => keys.account(tenantId, id)),
      suppressed: new Set(emails.filter((email) => bySk.has(keys.suppression(tenantId, email).sk))),
      reactCursor: request.reactCursor
        ? reactCursorPosition(bySk.get(keys.reactCursor(tenantId).sk))
        : undefined,
      cards: cardKeys
        .flatMap((key) => {
          const item = bySk.get(key.sk);
          return item ? [withoutStorageAttributes<ActionCard>(item)] : [];
        })
        .sort((a, b) => a.sequence - b.sequence || a.cardId.localeCompare(b.cardId)),
      reflection: reflectionItem ? withoutStorageAttributes<Reflection>(reflectionItem) : undefined,
      ...(runItem
        ? {
            livePhases: livePhasesOf(
              bySk.get(keys.cycleLock(tenantId).sk),
              String(runItem['runId']),
            ),
          }
        : {}),
    };
  }
}

/** A tenant's contacts and open pipeline as one Query reads them. */
export interface ContactsAndPipeline {
  readonly contacts: Contact[];
  readonly deals: Deal[];
  readonly bids: Bid[];
}

/**
 * Reads every contact, deal and bid of a tenant with one Query over the sort-key range from
 * `BID#` to `DEAL#` (their prefixes are neighbours; the few other items in the range, such as
 * the contact e-mail index and counters, are read and left out), following pages.
 */
export async function readContactsAndPipeline(
  ctx: Pick<TableContext, 'doc' | 'tableName'>,
  tenantId: string,
): Promise<ContactsAndPipeline> {
  const items = await queryTenantRange(ctx, tenantId, SK_PREFIX.bid, `${SK_PREFIX.deal}\uffff`);
  const of = <T>(prefix: string) =>
    items
      .filter((item) => String(item['sk']).startsWith(prefix))
      .map((item) => entityFromItem<T>(item));
  return {
    contacts: of<Contact>(SK_PREFIX.contact),
    deals: of<Deal>(SK_PREFIX.deal),
    bids: of<Bid>(SK_PREFIX.bid),
  };
}

function unique(ids: readonly string[] | undefined): string[] {
  return [...new Set(ids ?? [])];
}

/** The run record with the phases its lock still carries, while it is RUNNING. */
function runOf(item: Record<string, unknown>, lockItem: Record<string, unknown> | undefined) {
  const run = withoutStorageAttributes<RunRecord>(item);
  return run.status === 'RUNNING' ? withLivePhases(run, livePhasesOf(lockItem, run.runId)) : run;
}
