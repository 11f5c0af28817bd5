import { describe, expect, it } from 'vitest';
import { CORPUS } from './corpus/cases.js';
import { runCase, type CorpusCase } from './corpus/run-case.js';

/**
 * The convergence corpus: every case in both directions on the suite's shared servers, each run
 * in its own pair of small databases (dropped afterwards). Each run: plan, apply for real, a fresh
 * plan holds no schema change, and SHOW CREATE of every object matches production's (an oracle
 * that does not use replicoop's model). Runs are batched: a test holds a few cases, both
 * directions of each at once, and tests run concurrently, so the servers stay busy while the
 * corpus adds little wall time.
 */
const BATCH = 3;
const batches: CorpusCase[][] = [];
for (let i = 0; i < CORPUS.length; i += BATCH) batches.push(CORPUS.slice(i, i + BATCH));

describe.concurrent('schema corpus', () => {
  it('holds at least 150 distinct cases', () => {
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
  });
  for (const batch of batches) {
    it(batch.map((c) => c.name).join(' | '), async () => {
      const runs = batch.flatMap((c) =>
        (['forward', 'backward'] as const).map(async (direction) => {
          try {
            await runCase(c, direction);
            return null;
          } catch (error) {
            return `${c.name} (${direction === 'forward' ? 'a -> b' : 'b -> a'}): ${(error as Error).message}`;
          }
        }),
      );
      const failures = (await Promise.all(runs)).filter((f) => f !== null);
      expect(failures).toEqual([]);
    });
  }
});
