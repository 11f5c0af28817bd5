import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ReplicoopError, asReplicoopError, isCopyEngineError } from '../../src/errors.js';

describe('error codes', () => {
  it('are unique snake_case names', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
  });

  it('tell copy-engine failures from SQL and connection failures', () => {
    expect(isCopyEngineError(new ReplicoopError('copy_bad_value', 'x'))).toBe(true);
    expect(isCopyEngineError(new ReplicoopError('mask_secret_missing', 'x'))).toBe(true);
    expect(isCopyEngineError(new ReplicoopError('sql_error', 'x'))).toBe(false);
    expect(isCopyEngineError(new Error('copy_bad_value'))).toBe(false);
  });

  it('wraps anything thrown, keeping the cause', () => {
    const cause = new Error('boom');
    const wrapped = asReplicoopError(cause);
    expect(wrapped.code).toBe('internal_error');
    expect(wrapped.cause).toBe(cause);
    expect(asReplicoopError('text', 'load_failed').toJSON()).toEqual({ code: 'load_failed', message: 'text', details: {} });
  });
});
