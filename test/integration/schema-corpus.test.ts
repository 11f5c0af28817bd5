import { describe, expect, it } from 'vitest';
import { CORPUS } from './corpus/cases.js';
import { runCase } from './corpus/run-case.js';

/**
 * The convergence corpus: every case in both directions on the suite's shared servers (one pair
 * of small databases per run, dropped afterwards), concurrently. Each run: plan, apply for real,
 * a fresh plan holds no schema change, and SHOW CREATE of every object matches production's.
 */
describe.concurrent('schema corpus', () => {
  it('holds at least 150 distinct cases', () => {
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
  });
  for (const c of CORPUS) {
    it(`${c.name}: a -> b`, async () => {
      await runCase(c, 'forward');
    });
    it(`${c.name}: b -> a`, async () => {
      await runCase(c, 'backward');
    });
  }
});
