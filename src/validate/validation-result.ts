/**
 * What `validate` found, as plain JSON-safe data: the checks produce it, report/ renders it,
 * the CLI turns `passed` into an exit code. Nothing here holds a Buffer or a bigint.
 */
import type { Flavor } from '../sql/server-info.js';
import type { ObjectType } from '../plan/plan-types.js';

export type Severity = 'error' | 'warning';

export interface ServerSide {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly flavor: Flavor;
  readonly version: string;
}

/** One object whose definition is not the same on both sides. */
export interface StructureDifference {
  readonly objectType: ObjectType;
  readonly name: string;
  /** missing: only production has it; extra: only the sandbox has it; differs: both, unequal. */
  readonly kind: 'missing' | 'extra' | 'differs';
  readonly reasons: readonly string[];
  /** The CREATE statement on each side as `plan` shows it (null: the side lacks the object); report/ diffs them. */
  readonly before: string | null;
  readonly after: string | null;
  /** Names of the two sides for the diff headers, e.g. ['sandbox', 'production']. */
  readonly labels: readonly [string, string];
}

/** An object the schema model cannot compare: reported, never counted as equal or unequal. */
export interface Uncomparable {
  readonly objectType: string;
  readonly name: string;
  readonly reason: string;
}

/** What one side's account could not read (snapshot `unknown`): neither equal nor different, and which GRANT would show it. */
export interface Unreadable {
  /** The side's label, e.g. 'production'. */
  readonly side: string;
  readonly objectType: string;
  /** null: the whole class (the account cannot list objects of this type). */
  readonly name: string | null;
  readonly what: string;
  readonly grant: string;
  /** Set by the validation: true unless the config leaves the class alone (unknown: { <class>: skip }). */
  readonly fails?: boolean;
}

/** "the production account cannot read ...: not compared (grant it with: GRANT ...)". */
export function unreadableLine(u: Unreadable): string {
  return `the ${u.side} account cannot read ${u.name === null ? u.what : `${u.objectType} ${u.name} (${u.what})`}: not compared (grant it with: ${u.grant})`;
}

export interface StructureResult {
  readonly differences: readonly StructureDifference[];
  readonly uncomparable: readonly Uncomparable[];
  /** Absent in results written before unreadable objects were reported. */
  readonly unreadable?: readonly Unreadable[];
}

/**
 * A row's identity for humans: chunk-key column -> value as text. Values that are not valid
 * text in their character set are shown as 0x-hex; NULL stays null.
 */
export type KeyValues = Readonly<Record<string, string | null>>;

export interface ColumnDifference {
  readonly column: string;
  readonly production: string | null;
  readonly sandbox: string | null;
}

export interface RowDifference {
  readonly key: KeyValues;
  /** Columns whose values differ (masked columns are never shown). */
  readonly columns: readonly ColumnDifference[];
}

/** A row of a table without a usable key: its values, and how many more copies one side has. */
export interface RowSample {
  readonly row: KeyValues;
  readonly copies: number;
}

export interface MaskedColumnResult {
  readonly column: string;
  readonly rule: string;
  readonly productionNonNull: number;
  readonly sandboxNonNull: number;
  /** What the rule implies for the sandbox: 0 for null, every row for fixed, else production's. */
  readonly expectedSandboxNonNull: number;
  /**
   * all_rows: constant rules (null, fixed) are checked on every sandbox row; sample: a sample of
   * production values is masked again with maskValue and compared; count_only: neither was possible.
   */
  readonly verified: 'all_rows' | 'sample' | 'count_only';
  /** Rows checked value by value (all rows for constant rules, the sample otherwise). */
  readonly checked: number;
  readonly mismatches: number;
  /** Keys of mismatching rows (never their values: they may be unmasked personal data). */
  readonly mismatchKeys: readonly KeyValues[];
  readonly passed: boolean;
  readonly note: string | null;
}

export interface TableDataResult {
  readonly table: string;
  /** not_compared: the table could not be checked (missing on a side, columns differ, SQL error). */
  readonly status: 'match' | 'differ' | 'not_compared';
  readonly reason: string | null;
  /** key_ranges: chunked over the chunk key; hash_buckets: a table without a usable key. */
  readonly method: 'key_ranges' | 'hash_buckets';
  readonly key: readonly string[] | null;
  readonly where: string | null;
  /** Columns in the row checksum (generated ones included), and the masked ones left out of it. */
  readonly columns: readonly string[];
  readonly excludedColumns: readonly string[];
  readonly productionRows: number;
  readonly sandboxRows: number;
  readonly chunks: number;
  readonly differingChunks: number;
  readonly missing: { readonly count: number; readonly samples: readonly KeyValues[] };
  readonly extra: { readonly count: number; readonly samples: readonly KeyValues[] };
  readonly different: { readonly count: number; readonly samples: readonly RowDifference[] };
  /** Samples of tables without a key: whole rows with a multiplicity. */
  readonly rowSamples: { readonly missing: readonly RowSample[]; readonly extra: readonly RowSample[] };
  /** False when the drill-down stopped before every differing chunk was examined (counts are then lower bounds). */
  readonly drillComplete: boolean;
  readonly masked: readonly MaskedColumnResult[];
  /** How the table was compared when it is not the default (e.g. no index on the sandbox side). */
  readonly notes: readonly string[];
  readonly seconds: number;
}

export interface DataResult {
  readonly tables: readonly TableDataResult[];
  /** Wall time of the data and integrity checks, which run together on the same connections. */
  readonly seconds: number;
  /** Session pairs used in parallel, and the target rows per chunk. */
  readonly concurrency: number;
  readonly chunkRows: number;
  /** Tables apply's delta copy compared range by range and left equal to production: not checksummed again. */
  readonly provenByDeltaCopy?: readonly string[];
}

export interface OrphanFinding {
  readonly foreignKey: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
  readonly orphanRows: number;
  /** Child rows (chunk key, else the foreign key columns) that point at nothing. */
  readonly samples: readonly KeyValues[];
  readonly severity: Severity;
  readonly childMaintained: boolean;
  readonly parentMaintained: boolean;
  /** For a foreign key between two maintain tables: orphans production itself has under the same filters. */
  readonly expectedOrphans: number | null;
  readonly note: string;
}

export interface OrphanResult {
  readonly foreignKeysChecked: number;
  readonly skipped: readonly { readonly foreignKey: string; readonly table: string; readonly reason: string }[];
  readonly findings: readonly OrphanFinding[];
}

export interface PlanCheckResult {
  readonly checksum: string;
  readonly createdAt: string;
  /** The sandbox compared with the production snapshot embedded in the plan (what was reviewed). */
  readonly sandboxMatchesReviewed: boolean;
  readonly reviewedDifferences: readonly StructureDifference[];
  /** Production now compared with the plan's production snapshot. */
  readonly productionDrifted: boolean;
  readonly driftDifferences: readonly StructureDifference[];
  readonly notes: readonly string[];
}

export interface ValidationResult {
  readonly passed: boolean;
  readonly strict: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly production: ServerSide;
  readonly sandbox: ServerSide;
  readonly structure: StructureResult;
  readonly data: DataResult;
  readonly orphans: OrphanResult;
  readonly plan: PlanCheckResult | null;
  /** One line per reason the validation fails. */
  readonly failures: readonly string[];
  /** One line per finding that fails only with --strict (or never). */
  readonly warnings: readonly string[];
}
