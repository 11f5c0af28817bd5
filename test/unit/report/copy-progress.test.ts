import { describe, expect, it } from 'vitest';
import { CopyProgressBoard, duration } from '../../../src/report/copy-progress.js';

describe('CopyProgressBoard', () => {
  it('shows rows against the estimate, then the rate and the time left once there is a rate', () => {
    const board = new CopyProgressBoard();
    board.update({ stepId: 's1', table: 'orders', rowsDone: 0, estimatedRows: 1_000_000 }, 10_000);
    expect(board.lines()).toEqual(['orders: 0 / ~1,000,000 rows (0%)']);
    board.update({ stepId: 's1', table: 'orders', rowsDone: 250_000, estimatedRows: 1_000_000 }, 12_500);
    // 250,000 rows in 2.5 s: 100,000 rows/s, 750,000 left: 7.5 s.
    expect(board.lines()).toEqual(['orders: 250,000 / ~1,000,000 rows (25%), 100,000 rows/s, ETA 8s']);
  });

  it('counts the rate from what this run copied (a resumed table starts with rows done)', () => {
    const board = new CopyProgressBoard();
    board.update({ stepId: 's1', table: 't', rowsDone: 600_000, estimatedRows: 1_000_000 }, 0);
    board.update({ stepId: 's1', table: 't', rowsDone: 700_000, estimatedRows: 1_000_000 }, 50_000);
    expect(board.lines()).toEqual(['t: 700,000 / ~1,000,000 rows (70%), 2,000 rows/s, ETA 2m 30s']);
  });

  it('lists running tables in start order, drops finished ones, caps the percentage', () => {
    const board = new CopyProgressBoard();
    board.update({ stepId: 'a', table: 'a', rowsDone: 10, estimatedRows: 5 }, 0);
    board.update({ stepId: 'b', table: 'b', rowsDone: 0, estimatedRows: 0 }, 0);
    expect(board.lines()).toEqual(['a: 10 / ~5 rows (100%)', 'b: 0 / ~0 rows']);
    board.update({ stepId: 'a', table: 'a', rowsDone: 10, estimatedRows: 5, done: true }, 1);
    expect(board.lines()).toEqual(['b: 0 / ~0 rows']);
    board.update({ stepId: 'b', table: 'b', rowsDone: 0, estimatedRows: 0, done: true }, 1);
    expect(board.empty).toBe(true);
  });

  it('formats durations', () => {
    expect([0, 42.4, 185, 7620, 86_399].map(duration)).toEqual(['0s', '42s', '3m 05s', '2h 07m', '23h 59m']);
  });
});
