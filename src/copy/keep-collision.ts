/**
 * maintain[].keep at apply time. The plan refused kept rows that share a unique key value with
 * production, but production may gain such a row between plan and apply: the copy checks again
 * in its own snapshot before it deletes a row (checkKeptRows), and a duplicate-key error that
 * still happens while a table with kept rows is written (several ranges, each in its own
 * snapshot; a masked key, which can only be compared after masking) is reported as the keep
 * collision it is (keepCollisionError) instead of a bare "Duplicate entry". Either way the
 * failing chunk or range is rolled back and the kept rows are untouched: the run can be resumed
 * once the sandbox rows or keep are changed, or rolled back.
 */
import type { Queryable } from '../db/session.js';
import { errnoOf } from '../db/sql-error.js';
import { ReplicoopError, isReplicoopError } from '../errors.js';
import { keepCollisionMessage, keepCollisions } from '../introspect/count-keep.js';
import { ER_DUP_ENTRY } from '../sql/errno.js';
import type { CopyTask } from './copy-task.js';

const WAYS_OUT = 'the failed step can be resumed (apply again) once that is done, or the run rolled back';

/** Throws keep_collision when a kept sandbox row has a unique key value of a production row this copy brings. */
export async function checkKeptRows(task: CopyTask, sandbox: Queryable, production: Queryable): Promise<void> {
  if (!task.keep || !task.keepKeys || task.keepKeys.length === 0) return;
  const found = await keepCollisions(sandbox, production, task.table, task.keep, task.keepKeys, task.where);
  if (found.collisions === 0) return;
  throw new ReplicoopError(
    'keep_collision',
    `${task.table}: ${keepCollisionMessage(task.table, task.keep, found)}; nothing was deleted, ${WAYS_OUT}`,
    {
      details: { table: task.table, keep: task.keep, collisions: found.collisions, samples: found.samples },
    },
  );
}

/**
 * A duplicate-key error (INSERT) or a row LOAD DATA skipped as a duplicate, in the copy of a
 * table with kept rows, as a keep_collision naming the table, the key and maintain[].keep; null
 * for any other error (and for a table without keep, where a duplicate means something else).
 */
export function keepCollisionError(task: CopyTask, error: unknown): ReplicoopError | null {
  if (!task.keep) return null;
  if (isReplicoopError(error) && error.code === 'keep_collision') return error;
  let duplicate: string | null = null;
  if (errnoOf(error) === ER_DUP_ENTRY) duplicate = (error as Error).message.replace(/^sandbox: /, '');
  else if (isReplicoopError(error) && error.code === 'copy_rows_mismatch') {
    const warnings = (error.details as { warnings?: unknown }).warnings;
    const warning = Array.isArray(warnings) ? warnings.find((w): w is string => typeof w === 'string' && /\b1062\b/.test(w)) : undefined;
    if (warning !== undefined) duplicate = warning.replace(/^\S+ 1062 /, '');
  }
  if (duplicate === null) return null;
  return new ReplicoopError(
    'keep_collision',
    `${task.table}: a production row collides with a sandbox row kept by maintain[].keep ("${task.keep}"): ${duplicate}; ` +
      `the chunk was rolled back and the kept rows are untouched: give them key values production does not use, or narrow keep; ${WAYS_OUT}`,
    { details: { table: task.table, keep: task.keep, duplicate }, cause: error },
  );
}
