import type { ConnectionTarget } from './connection-target.js';

export type MaskRule =
  | { readonly kind: 'null' }
  | { readonly kind: 'fixed'; readonly value: string | number | null }
  | { readonly kind: 'email' | 'name' | 'phone' | 'hash' | 'redact' };

export interface MaintainTable {
  readonly table: string;
  readonly where: string | null;
  /** column -> rule, sorted by column name. */
  readonly mask: Readonly<Record<string, MaskRule>>;
  /** Columns copied as they are on purpose, past masking.require (sorted; absent: none). */
  readonly passthrough?: readonly string[];
  /** Deterministic sample: this percentage of the rows (by a hash of the key), within `where`. */
  readonly sample?: number;
  /** At most this many rows: the first by key, within `where`. */
  readonly limit?: number;
  /** A condition on sandbox rows: those matching it survive every refresh (developers' own rows). */
  readonly keep?: string;
  /** maintain[].copy.mode: full always empties and copies the table; auto (absent) lets the plan choose a delta copy. */
  readonly copyMode?: CopyMode;
}

/** auto: a delta copy where the plan can prove one exact (copy/delta-copy.ts), else full; full: always empty and copy. */
export type CopyMode = 'auto' | 'full';

export interface MaskingConfig {
  readonly secret: string | null;
  /** masking.require: the column-name policy (globs; "default" = the built-in list); null: no gate. */
  readonly require: readonly string[] | null;
  /** Columns new in production since the last applied plan: fail (default with require) or warn. */
  readonly newColumns: 'fail' | 'warn';
}

/** subset: how a `where` propagates along foreign keys between maintained tables (see plan/subset.ts). */
export type SubsetFollow = 'children' | 'parents';

export interface SubsetConfig {
  readonly follow: SubsetFollow;
  /** "<child table>.<foreign key name>" -> follow, checked against production at plan time. */
  readonly relations: Readonly<Record<string, SubsetFollow>>;
}

/** Object classes an account may be unable to read (see snapshot/model.ts UnknownObject). */
export type UnknownClass = 'tables' | 'views' | 'triggers' | 'routines' | 'events';
/** error (default): the plan fails naming the GRANT; skip: the class is left untouched on the sandbox. */
export type UnknownTreatment = 'error' | 'skip';
export type UnknownSettings = Readonly<Partial<Record<UnknownClass, UnknownTreatment>>>;

/** config `renames`: what production renamed, so the sandbox renames instead of dropping and adding. */
export interface Renames {
  /** Old table name (the sandbox's) -> new (production's). */
  readonly tables: Readonly<Record<string, string>>;
  /** Production table name -> old column name -> new column name. */
  readonly columns: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type CopyMethod = 'auto' | 'load-data' | 'insert';

export interface ResolvedConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** The file as the user named it, for messages. */
  readonly displayFile: string;
  readonly production: ConnectionTarget;
  readonly sandbox: ConnectionTarget;
  readonly maintain: readonly MaintainTable[];
  readonly ignore: readonly string[];
  /** scope plan: only what the plan can change (see backup/backup-scope.ts); full: the whole sandbox database. */
  readonly backup: { readonly dir: string; readonly keep: number; readonly scope: 'plan' | 'full' };
  readonly statePath: string;
  readonly logsDir: string;
  readonly reportsDir: string;
  readonly masking: MaskingConfig;
  readonly copy: {
    readonly concurrency: number;
    readonly chunkRows: number;
    readonly method: CopyMethod;
    readonly mode: CopyMode;
    /** Probe share of differing rows above which a delta copy hands the table to the full copy. */
    readonly deltaThreshold: number;
  };
  readonly definers: 'current_user' | 'keep';
  readonly renames: Renames;
  /** How objects an account cannot read are treated, per class (unset: error). */
  readonly unknown: UnknownSettings;
  readonly apply: { readonly onFailure: 'keep' | 'rollback'; readonly validate: boolean };
  readonly subset: SubsetConfig;
}

/**
 * copy.deltaThreshold's default: a delta copy whose probe finds more than this share of rows
 * differing hands the table to the full copy. bench:refresh --crossover (200,000 rows, rows
 * updated at random, delta forced) measured the delta as fast as --full at 10% and 0.57x at 20%.
 */
export const DEFAULT_DELTA_THRESHOLD = 0.1;
