import type { Queryable } from '../db/session.js';
import type { Snapshot } from '../snapshot/model.js';
import { parseSnapshot } from './parse-snapshot.js';
import { introspectSchema, type IntrospectOptions } from './introspect-schema.js';

/** Reads and parses one side: the snapshot plan, apply and validate all compare. */
export async function readSnapshot(db: Queryable, options: IntrospectOptions = {}): Promise<Snapshot> {
  return parseSnapshot(await introspectSchema(db, options));
}
