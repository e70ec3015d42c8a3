/**
 * A DynamoDB item action a function may be granted on the single table. There is no DeleteItem,
 * Scan or transaction: no repository uses them (items expire by TTL).
 */
export type TableAction =
  'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'BatchWriteItem';

/** What one function may do on the table: item actions, and whether it may Query the `gsi1` index. */
export interface TableAccess {
  readonly actions: readonly TableAction[];
  /** Query on `gsi1` (the enabled-tenant listing and the outcome inbox live there). */
  readonly queryIndex: boolean;
}

const CYCLE_BOOKKEEPING: readonly TableAction[] = ['GetItem', 'UpdateItem'];
const CYCLE_WORK: readonly TableAction[] = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
];

/**
 * The table actions of every function, by `functions/<name>` folder, taken from the repository
 * calls each handler's code path makes (run records and locks are conditional UpdateItems; card,
 * audit, outcome and suppression writes are conditional PutItems; ingest batch-writes its
 * attachment metadata, Plan its run's new cards and Act their final statuses). `test/infra/table-access.test.ts` pins the synthesized result.
 */
export const FUNCTION_TABLE_ACCESS = {
  'begin-cycle': {
    actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'],
    queryIndex: false,
  },
  plan: { actions: [...CYCLE_WORK, 'BatchWriteItem'], queryIndex: false },
  // Act lists the tenant's open approvals on gsi1 (TENANT#<t>#APPROVALS_OPEN) in assisted phase
  // and batch-writes its run's finished cards.
  act: { actions: [...CYCLE_WORK, 'BatchWriteItem'], queryIndex: true },
  react: { actions: CYCLE_WORK, queryIndex: true },
  reflect: { actions: CYCLE_WORK, queryIndex: false },
  'record-failure': { actions: CYCLE_BOOKKEEPING, queryIndex: false },
  'list-tenants': { actions: [], queryIndex: true },
  unsubscribe: { actions: ['PutItem'], queryIndex: false },
  sender: { actions: CYCLE_WORK, queryIndex: false },
  'ses-feedback': { actions: CYCLE_WORK, queryIndex: false },
  'gmail-poller': { actions: ['GetItem', 'PutItem', 'UpdateItem'], queryIndex: true },
  ingest: { actions: [...CYCLE_WORK, 'BatchWriteItem'], queryIndex: false },
} as const satisfies Record<string, TableAccess>;

/** A function folder that has table access. */
export type TableFunctionName = keyof typeof FUNCTION_TABLE_ACCESS;

/**
 * The tenant-scoped functions that take or free organisation cycle slots, and their actions on
 * `ORG#<organisation>` items (outside every tenant's partition, so their tenant role grants these
 * on the `ORG#` partitions only; shared/storage/org-slot-repository.ts makes the calls).
 */
export const ORG_SLOT_ACCESS = {
  'begin-cycle': ['GetItem', 'UpdateItem'],
  reflect: ['UpdateItem'],
  'record-failure': ['UpdateItem'],
} as const satisfies Partial<Record<TableFunctionName, readonly TableAction[]>>;

/**
 * The tenant-scoped functions that read sending identities' ladders (`IDENTITY#<domain>` /
 * `WARMUP`, shared counters with no tenant data) in the same `BatchGetItem` as their tenant's
 * items, so their tenant role grants these reads on the tenant's partitions and `IDENTITY#*` in
 * one statement (a batch's leading keys must all match one statement).
 */
export const IDENTITY_READ_ACCESS = {
  sender: ['GetItem', 'BatchGetItem'],
} as const satisfies Partial<Record<TableFunctionName, readonly TableAction[]>>;
