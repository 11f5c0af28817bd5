import { createHash } from 'node:crypto';
import type { Snapshot } from './model.js';

/** JSON with sorted object keys: equal data gives equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * sha256 over the normalised structure: not the database name, server version or statistics,
 * which change without the schema changing.
 */
export function snapshotFingerprint(snapshot: Snapshot): string {
  const { tables, views, triggers, routines, events, sequences, unsupported, charset, collation } = snapshot;
  return sha256(canonicalJson({ charset, collation, tables, views, triggers, routines, events, sequences, unsupported }));
}
