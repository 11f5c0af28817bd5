/**
 * What the step builders share: a step before it is numbered, the changes sorted by kind, and
 * the foreign keys that structure steps leave for the post phase.
 */
import { compareText } from '../compare-text.js';
import type { Change } from '../diff/changes.js';
import type { ForeignKey, Snapshot } from '../snapshot/model.js';
import type { PlanStep, StepExpectation } from './plan-types.js';
import type { DdlContext } from './render-ddl.js';

export type DraftStep = Omit<PlanStep, 'id'>;

export type ChangeOf<K extends Change['kind']> = Extract<Change, { kind: K }>;

/** Everything the step builders read. */
export interface StepInput {
  readonly changes: readonly Change[];
  readonly production: Snapshot;
  readonly sandbox: Snapshot;
  readonly maintainNames: ReadonlySet<string>;
  /** Maintain tables with a `keep`: their sandbox rows survive the refresh, so changes to them can lose data. */
  readonly keptNames?: ReadonlySet<string>;
  readonly context: DdlContext;
}

/** The changes of one kind, by name. */
export function changesOf<K extends Change['kind']>(changes: readonly Change[], kind: K): ChangeOf<K>[] {
  return changes.filter((c): c is ChangeOf<K> => c.kind === kind).sort((a, b) => compareText(a.name, b.name));
}

/** Foreign keys added in the post phase, per table, once every table they may point at has its final shape. */
export class DeferredForeignKeys {
  readonly #byTable = new Map<string, ForeignKey[]>();

  add(table: string, fk: ForeignKey): void {
    this.#byTable.set(table, [...(this.#byTable.get(table) ?? []), fk]);
  }

  /** Names of the keys deferred for a table so far (what a step's expectation calls pending). */
  names(table: string): string[] {
    return (this.#byTable.get(table) ?? []).map((fk) => fk.name);
  }

  /** Tables by name, each with its keys by name. */
  entries(): [string, ForeignKey[]][] {
    return [...this.#byTable.keys()]
      .sort(compareText)
      .map((table) => [table, [...this.#byTable.get(table)!].sort((a, b) => compareText(a.name, b.name))]);
  }
}

export function simpleStep(
  phase: PlanStep['phase'],
  kind: PlanStep['kind'],
  objectType: PlanStep['objectType'],
  object: string,
  sql: string[],
  change: Change,
  expect: StepExpectation,
): DraftStep {
  return {
    phase,
    kind,
    objectType,
    object,
    sql,
    destructive: change.destructive,
    reason: change.reasons.join('; '),
    schemaChange: true,
    expect,
    data: null,
  };
}
