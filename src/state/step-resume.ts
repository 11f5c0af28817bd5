/**
 * A copy engine's position exactly as the engine handed it over: plain JSON that the store keeps
 * and gives back without looking inside. The engine checks everything in it (version, table,
 * key, filter, masks, ranges) against its task before continuing, and refuses what does not fit
 * with a message saying to start the table over (copy/resume-state.ts segmentsFromResume,
 * copy/delta-parts.ts checkResume). Opaque here, so that state/ does not depend on copy/.
 */
export type EnginePosition = object;

/**
 * How far an interrupted step got, stored as JSON in the resume_key column. A DDL step of several
 * statements counts the ones that committed (DDL commits one by one); a full or delta copy keeps
 * its engine's position.
 */
export type StepResume =
  | { readonly kind: 'ddl'; readonly statementsDone: number }
  | { readonly kind: 'copy'; readonly state: EnginePosition }
  | { readonly kind: 'delta'; readonly state: EnginePosition };

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
  if (!isPosition(value)) return null;
  const record = value as Record<string, unknown>;
  const kind = record['kind'];
  if (kind === 'ddl' || (kind === undefined && 'statementsDone' in record)) {
    const done = record['statementsDone'];
    return typeof done === 'number' && Number.isSafeInteger(done) && done > 0 ? { kind: 'ddl', statementsDone: done } : null;
  }
  if (kind === 'delta') {
    const delta = record['state'];
    return isPosition(delta) ? { kind: 'delta', state: delta } : null;
  }
  const state = kind === 'copy' ? record['state'] : kind === undefined ? value : undefined;
  return isPosition(state) ? { kind: 'copy', state } : null;
}

/** Only the outline of a position (a JSON object); its contents are the engine's to check. */
function isPosition(value: unknown): value is EnginePosition {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
