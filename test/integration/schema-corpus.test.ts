import { describe, expect, it } from 'vitest';
import { CORPUS } from './corpus/cases.js';
import { runBatch } from './corpus/run-case.js';

/**
 * The convergence corpus: every case in both directions on the suite's shared servers. Cases are
 * batched: a test holds a few, their objects each under a prefix in one pair of databases per
 * direction (dropped afterwards), so one plan, apply and oracle pass serves them all. Each run:
 * plan, apply for real, a fresh plan holds no schema change, SHOW CREATE of every object matches
 * production's (an oracle that does not use replicoop's model), and the case's own row checks.
 * Measured alone (190 cases, 48 batch runs, 2 shared cores under other load): vitest's Duration
 * 17-24 s, of which about 2 s is starting the servers every integration file shares.
 */
const BATCH = 8;
const batches: { index: number; c: (typeof CORPUS)[number] }[][] = [];
for (let i = 0; i < CORPUS.length; i += BATCH) batches.push(CORPUS.slice(i, i + BATCH).map((c, j) => ({ index: i + j, c })));

describe.concurrent('schema corpus', () => {
  it('holds at least 150 distinct cases', () => {
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
  });
  for (const batch of batches) {
    const label = `${batch[0]!.c.name} … ${batch.at(-1)!.c.name} (${batch.length} cases)`;
    it(`a -> b: ${label}`, async () => {
      await runBatch(batch, 'forward');
    });
    it(`b -> a: ${label}`, async () => {
      await runBatch(batch, 'backward');
    });
  }
});
