import { canonicalJson, sha256 } from '../hash.js';
import type { Snapshot } from './model.js';

/**
 * sha256 over the normalised structure: not the database name, server version or statistics,
 * which change without the schema changing.
 */
export function snapshotFingerprint(snapshot: Snapshot): string {
  const { tables, views, triggers, routines, events, sequences, unsupported, charset, collation, unknown } = snapshot;
  // What the account could not read is part of what was seen; left out when empty, so fingerprints of fully readable schemas stay as they were.
  return sha256(
    canonicalJson({
      charset,
      collation,
      tables,
      views,
      triggers,
      routines,
      events,
      sequences,
      unsupported,
      ...(unknown && unknown.length > 0 ? { unknown } : {}),
    }),
  );
}
