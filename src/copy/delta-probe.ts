/**
 * The probe of a delta copy (delta-copy.ts), run before anything is written: a few leaves are
 * compared row by row, the start of the key and, for an integer key, ranges spread between MIN
 * and MAX. When more than the threshold of their rows differ, the table is handed back to the
 * full copy (TRUNCATE and LOAD DATA beat per-key writes when most rows change).
 */
import { quoteIdent } from '../sql/quote.js';
import { isIntegerKey } from '../sql/key-sql.js';
import { nibbleBoundaries } from '../db/key-boundaries.js';
import type { DeltaSides } from './delta-sides.js';

export const PROBE_RANGES = 8;

/** Why the table should be copied in full (more than `threshold` of the probed rows differ), or null. */
export async function probeDelta(sides: DeltaSides, table: string, leafRows: number, threshold: number): Promise<string | null> {
  const key = sides.plan.keyColumns;
  const starts: (Buffer[] | null)[] = [null];
  if (isIntegerKey(key)) {
    const name = quoteIdent(key[0]!.name);
    const [row] = (await sides.production.queryArrays(`SELECT MIN(${name}), MAX(${name}) FROM ${quoteIdent(table)}`, [], {
      raw: true,
    })) as (Buffer | null)[][];
    if (row?.[0] && row[1]) {
      const lo = BigInt(row[0].toString('latin1'));
      const hi = BigInt(row[1].toString('latin1'));
      for (let i = 1n; i < BigInt(PROBE_RANGES); i++)
        starts.push([Buffer.from(String(lo + ((hi - lo) * i) / BigInt(PROBE_RANGES)), 'latin1')]);
    }
  }
  let compared = 0;
  let differing = 0;
  for (const [i, start] of starts.entries()) {
    // Probes never overlap: each ends at the next one's start at the latest.
    const next = starts[i + 1] ?? null;
    const [upper] = await nibbleBoundaries(sides.production, sides.target('production'), { lower: start, upper: next }, leafRows, 1);
    const diff = await sides.leafDiff({ lower: start, upper: upper ?? next });
    compared += Math.max(diff.productionRows, diff.sandboxRows);
    differing += diff.gone.length + diff.writeKeys.length;
  }
  if (compared === 0 || differing <= threshold * compared) return null;
  const share = Math.round((100 * differing) / compared);
  return `${share}% of ${compared} probed rows differ (more than ${Math.round(threshold * 100)}%): a full copy is cheaper`;
}
