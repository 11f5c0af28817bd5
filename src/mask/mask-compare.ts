/**
 * Which tables a delta copy can compare (copy/delta-copy.ts), pure, shared by the plan (which
 * shows the mode and why) and the copy engine (which refuses anything else).
 *
 * The comparison is done by the servers (checksums over the stored bytes), so production's rows
 * must be comparable with the sandbox's as they will be after masking. A constant rule (null,
 * fixed) is: the sandbox must hold the constant. A rule replicoop computes (an HMAC, a redaction)
 * is not: the server cannot compute it, so such a table is copied in full.
 */
import type { MaskRule } from '../config/types.js';

export function isConstantRule(rule: MaskRule): boolean {
  return rule.kind === 'null' || rule.kind === 'fixed';
}

/** Why a table cannot be refreshed by a delta copy (null: it can). */
export function deltaRefusal(key: readonly string[] | null, mask: Readonly<Record<string, MaskRule>>): string | null {
  if (key === null) return 'no usable key (primary key or NOT NULL unique key) to compare ranges by';
  for (const [column, rule] of Object.entries(mask)) {
    if (key.includes(column)) return `key column ${column} is masked: sandbox keys differ from production's by design`;
    if (!isConstantRule(rule))
      return `the ${rule.kind} mask on ${column} is computed by replicoop, not by the server: its sandbox values cannot be compared by checksum`;
  }
  return null;
}
