import { describe, expect, it } from 'vitest';
import { ValidateProgressBoard } from '../../../src/report/validate-progress.js';

describe('validate progress', () => {
  it('counts tables and chunks done, rows and the rate since the data checks started', () => {
    const board = new ValidateProgressBoard();
    board.update({ tablesTotal: 3 }, 0);
    expect(board.started).toBe(false);
    board.update({ table: { table: 'customer', chunksDone: 0, chunksTotal: 2, rowsDone: 0 }, tablesTotal: 3 }, 1000);
    board.update({ table: { table: 'customer', chunksDone: 2, chunksTotal: 2, rowsDone: 100_000 }, tablesTotal: 3 }, 2000);
    board.update({ table: { table: 'orders', chunksDone: 1, chunksTotal: 4, rowsDone: 50_000 }, tablesTotal: 3 }, 3000);
    expect(board.started).toBe(true);
    expect(board.line()).toBe('validating 1/3 tables, 3/6 chunks, 150,000 rows, 75,000 rows/s, 2s so far; now: orders 1/4 chunks');
  });

  it('shows no rate before half a second has passed', () => {
    const board = new ValidateProgressBoard();
    board.update({ table: { table: 't', chunksDone: 1, chunksTotal: 1, rowsDone: 10 }, tablesTotal: 1 }, 5);
    expect(board.line()).toBe('validating 1/1 tables, 1/1 chunks, 10 rows');
  });
});
