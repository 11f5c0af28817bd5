import { describe, expect, it } from 'vitest';
import { deltaRefusal, isConstantRule } from '../../../src/mask/mask-compare.js';

describe('deltaRefusal: which tables a delta copy can compare', () => {
  it('accepts a keyed table without masks or with constant masks only', () => {
    expect(deltaRefusal(['id'], {})).toBeNull();
    expect(deltaRefusal(['id'], { a: { kind: 'null' }, b: { kind: 'fixed', value: 'x' }, c: { kind: 'fixed', value: null } })).toBeNull();
  });

  it('refuses a table without a key, a masked key column and every rule replicoop computes, saying why', () => {
    expect(deltaRefusal(null, {})).toBe('no usable key (primary key or NOT NULL unique key) to compare ranges by');
    expect(deltaRefusal(['id', 'code'], { code: { kind: 'null' } })).toBe(
      "key column code is masked: sandbox keys differ from production's by design",
    );
    for (const kind of ['email', 'name', 'phone', 'hash', 'redact'] as const) {
      expect(deltaRefusal(['id'], { c: { kind } })).toBe(
        `the ${kind} mask on c is computed by replicoop, not by the server: its sandbox values cannot be compared by checksum`,
      );
      expect(isConstantRule({ kind })).toBe(false);
    }
  });
});
