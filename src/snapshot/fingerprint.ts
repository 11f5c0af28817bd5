import { canonicalJson, sha256 } from '../hash.js';
import type { Snapshot } from './model.js';

/**
 * sha256 over the normalised structure: not the database name, server version or statistics,
 * which change without the schema changing.
 */
export function snapshotFingerprint(snapshot: Snapshot): string {
  const { tables, views, triggers, routines, events, sequences, unsupported, charset, collation } = snapshot;
  return sha256(canonicalJson({ charset, collation, tables, views, triggers, routines, events, sequences, unsupported }));
}
