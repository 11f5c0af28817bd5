/**
 * A table copy's key ranges while it runs (Segment), and their conversion to and from the JSON
 * position the caller stores (CopyResumeState, in copy-task.ts).
 */
import { ReplicoopError } from '../errors.js';
import type { KeyRange } from '../sql/key-range.js';
import type { CopyResumeState, CopyTask, SegmentResumeState } from './copy-task.js';

/** A key range of one table being copied: mutable while the copy runs. */
export class Segment {
  readonly index: number;
  /** Bounds on the first key column: 1-tuples, (lower, upper]. */
  readonly range: KeyRange;
  last: Buffer[] | null;
  rows: number;
  bytes: number;
  done: boolean;

  constructor(index: number, range: KeyRange, last: Buffer[] | null = null, rows = 0, bytes = 0, done = false) {
    this.index = index;
    this.range = range;
    this.last = last;
    this.rows = rows;
    this.bytes = bytes;
    this.done = done;
  }

  toState(): SegmentResumeState {
    const bound = (tuple: readonly Buffer[] | null): string | null => (tuple === null ? null : tuple[0]!.toString('base64'));
    return {
      lower: bound(this.range.lower),
      upper: bound(this.range.upper),
      last: this.last === null ? null : this.last.map((b) => b.toString('base64')),
      rows: this.rows,
      bytes: this.bytes,
      done: this.done,
    };
  }
}

export function maskFingerprint(task: CopyTask): string {
  return JSON.stringify(
    Object.keys(task.mask)
      .sort()
      .map((column) => [column, task.mask[column]]),
  );
}

export function resumeState(task: CopyTask, segments: readonly Segment[]): CopyResumeState {
  return {
    version: 1,
    table: task.table,
    key: task.key === null ? null : [...task.key],
    where: task.where,
    mask: maskFingerprint(task),
    segments: segments.map((s) => s.toState()),
  };
}

/**
 * Segments from a stored state, checked against the task: a state made for another table, key,
 * filter or masks cannot be continued (the caller should start the table over).
 */
export function segmentsFromResume(value: unknown, task: CopyTask): Segment[] {
  const invalid = (why: string): ReplicoopError =>
    new ReplicoopError('copy_resume_invalid', `cannot resume the copy of ${task.table}: ${why}; start the table over`, {
      details: { table: task.table },
    });
  if (typeof value !== 'object' || value === null) throw invalid('the stored position is not an object');
  const state = value as Partial<CopyResumeState>;
  if (state.version !== 1) throw invalid(`unknown state version ${String(state.version)}`);
  if (state.table !== task.table) throw invalid(`the stored position belongs to table ${String(state.table)}`);
  if (JSON.stringify(state.key ?? null) !== JSON.stringify(task.key)) throw invalid('the chunk key changed');
  if ((state.where ?? null) !== task.where) throw invalid('the where filter changed');
  if (state.mask !== maskFingerprint(task)) throw invalid('the mask rules changed');
  if (!Array.isArray(state.segments) || state.segments.length === 0) throw invalid('no key ranges stored');
  const keyLength = task.key?.length ?? 0;
  return state.segments.map((s: SegmentResumeState, index) => {
    const bytes = (v: unknown): Buffer | null => {
      if (v === null) return null;
      if (typeof v !== 'string') throw invalid(`range ${index} has a malformed bound`);
      return Buffer.from(v, 'base64');
    };
    if (typeof s !== 'object' || s === null) throw invalid(`range ${index} is malformed`);
    if (s.last !== null && (!Array.isArray(s.last) || s.last.length !== keyLength))
      throw invalid(`range ${index} has a malformed last key`);
    if (!Number.isSafeInteger(s.rows) || !Number.isSafeInteger(s.bytes) || typeof s.done !== 'boolean')
      throw invalid(`range ${index} has malformed counts`);
    const tuple = (v: unknown): Buffer[] | null => {
      const b = bytes(v);
      return b === null ? null : [b];
    };
    return new Segment(
      index,
      { lower: tuple(s.lower), upper: tuple(s.upper) },
      s.last === null ? null : s.last.map((v) => bytes(v)!),
      s.rows,
      s.bytes,
      s.done,
    );
  });
}
