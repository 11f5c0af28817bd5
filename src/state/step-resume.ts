import type { CopyResumeState, DeltaResumeState } from '../copy/copy-task.js';

/**
 * How far an interrupted step got, stored as JSON in the resume_key column. A DDL step of several
 * statements counts the ones that committed (DDL commits one by one); a data copy keeps the copy
 * engine's position, which the engine checks against its task before continuing
 * (copy/resume-state.ts segmentsFromResume).
 */
export type StepResume =
  | { readonly kind: 'ddl'; readonly statementsDone: number }
  | { readonly kind: 'copy'; readonly state: CopyResumeState }
  | { readonly kind: 'delta'; readonly state: DeltaResumeState };

/**
 * Reads the resume column. Rows written before the column was tagged hold the bare shapes
 * ({"statementsDone": n} for DDL, the copy engine's state for a copy) and read the same way.
 * Text that is neither means no usable position: the step starts from the beginning, which is
 * always safe (a DDL step is re-checked against the plan, a copy empties its table first).
 */
export function parseStepResume(text: string | null): StepResume | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const kind = record['kind'];
  if (kind === 'ddl' || (kind === undefined && 'statementsDone' in record)) {
    const done = record['statementsDone'];
    return typeof done === 'number' && Number.isSafeInteger(done) && done > 0 ? { kind: 'ddl', statementsDone: done } : null;
  }
  // The delta copy checks its position against its task as the full copy does (copy/delta-copy.ts).
  if (kind === 'delta') {
    const delta = record['state'];
    return typeof delta === 'object' && delta !== null && !Array.isArray(delta)
      ? { kind: 'delta', state: delta as DeltaResumeState }
      : null;
  }
  const state = kind === 'copy' ? record['state'] : kind === undefined ? value : undefined;
  return isCopyResumeState(state) ? { kind: 'copy', state } : null;
}

/**
 * Only the outline of a copy position: the copy engine checks everything in it (version, table,
 * key, filter, masks, ranges) against its task before continuing, and refuses what does not fit
 * with a message saying to start the table over (copy/resume-state.ts segmentsFromResume).
 */
function isCopyResumeState(value: unknown): value is CopyResumeState {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
