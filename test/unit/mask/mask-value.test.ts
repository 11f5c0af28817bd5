import { describe, expect, it } from 'vitest';
import type { MaskRule } from '../../../src/config/types.js';
import { maskProblem, maskValue, namePart, type MaskColumn } from '../../../src/mask/mask-value.js';

function column(type: string, extra: Partial<MaskColumn> = {}): MaskColumn {
  const dataType = /^\w+/.exec(type)![0];
  const text = /char|text|enum|set/.test(dataType);
  return { name: 'c', dataType, type, nullable: true, charset: text ? 'utf8mb4' : null, generated: null, ...extra };
}

const SECRET = 'a-long-masking-secret';
const rule = (kind: 'email' | 'name' | 'phone' | 'hash' | 'redact' | 'null'): MaskRule => ({ kind }) as MaskRule;
const text = (value: Buffer | null): string | null => (value === null ? null : value.toString('utf8'));

describe('maskValue', () => {
  it('gives the same output for the same input and secret, and different outputs otherwise', () => {
    const c = column('varchar(255)');
    const a = text(maskValue(rule('email'), Buffer.from('ann@shop.test'), c, SECRET));
    expect(a).toBe(text(maskValue(rule('email'), Buffer.from('ann@shop.test'), c, SECRET)));
    expect(a).not.toBe(text(maskValue(rule('email'), Buffer.from('bob@shop.test'), c, SECRET)));
    expect(a).not.toBe(text(maskValue(rule('email'), Buffer.from('ann@shop.test'), c, 'another-secret-value')));
    expect(a).toMatch(/^[0-9a-f]{24}@example\.com$/);
  });

  it('keeps NULL as NULL and an empty string empty, except for hash', () => {
    const c = column('varchar(100)');
    for (const kind of ['email', 'name', 'phone', 'hash', 'redact'] as const) expect(maskValue(rule(kind), null, c, SECRET)).toBeNull();
    for (const kind of ['email', 'name', 'phone', 'redact'] as const)
      expect(text(maskValue(rule(kind), Buffer.alloc(0), c, SECRET))).toBe('');
    expect(text(maskValue(rule('hash'), Buffer.alloc(0), c, SECRET))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fits outputs to the column length', () => {
    expect(text(maskValue(rule('email'), Buffer.from('x@y.z'), column('varchar(30)'), SECRET))).toMatch(/^[0-9a-f]{18}@example\.com$/);
    expect(maskValue(rule('hash'), Buffer.from('x'), column('char(10)'), SECRET)!.length).toBe(10);
    expect(maskValue(rule('name'), Buffer.from('Jane Doe'), column('varchar(5)'), SECRET)!.length).toBeLessThanOrEqual(5);
    expect(text(maskValue(rule('phone'), Buffer.from('+33 1 23 45 67 89'), column('varchar(12)'), SECRET))).toMatch(/^555\d{7}$/);
    expect(text(maskValue(rule('phone'), Buffer.from('+33 1 23 45 67 89'), column('varchar(20)'), SECRET))).toMatch(
      /^\+1-555-\d{3}-\d{4}$/,
    );
  });

  it('redacts to the same length in characters', () => {
    expect(text(maskValue(rule('redact'), Buffer.from('héllo 😀'), column('varchar(20)'), null))).toBe('xxxxxxx');
    expect(maskValue(rule('redact'), Buffer.from([0, 1, 2, 255]), column('varbinary(10)'), null)!.equals(Buffer.from('xxxx'))).toBe(true);
    expect(text(maskValue(rule('redact'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), column('varchar(10)', { charset: 'latin1' }), null))).toBe(
      'xxxx',
    );
  });

  it('returns fixed values (NULL included) whatever the input', () => {
    expect(text(maskValue({ kind: 'fixed', value: 'redacted' }, Buffer.from('x'), column('varchar(20)'), null))).toBe('redacted');
    expect(text(maskValue({ kind: 'fixed', value: 42 }, null, column('int(11)'), null))).toBe('42');
    expect(maskValue({ kind: 'fixed', value: null }, Buffer.from('x'), column('varchar(20)'), null)).toBeNull();
  });

  it('refuses a keyed rule without a secret', () => {
    expect(() => maskValue(rule('email'), Buffer.from('a@b.c'), column('varchar(99)'), null)).toThrow(/masking.secret/);
  });
});

describe('maskProblem', () => {
  it('accepts rules that fit', () => {
    expect(maskProblem(rule('email'), column('varchar(24)'))).toBeNull();
    expect(maskProblem(rule('hash'), column('char(64)'))).toBeNull();
    expect(maskProblem(rule('redact'), column('text'))).toBeNull();
    expect(maskProblem(rule('name'), column('varbinary(3)'))).toBeNull();
    expect(maskProblem(rule('null'), column('int(11)'))).toBeNull();
    expect(maskProblem({ kind: 'fixed', value: 7 }, column('bigint(20)'))).toBeNull();
    expect(maskProblem({ kind: 'fixed', value: 'b' }, column("enum('a','b')"))).toBeNull();
  });

  it('reports outputs that cannot fit or types that cannot hold them', () => {
    expect(maskProblem(rule('email'), column('varchar(5)'))).toMatch(/at least 24 characters, the column holds 5/);
    expect(maskProblem(rule('email'), column('int(11)'))).toMatch(/string masks need/);
    expect(maskProblem(rule('redact'), column('datetime'))).toMatch(/string masks need/);
    expect(maskProblem(rule('phone'), column('varchar(9)'))).toMatch(/at least 10/);
    expect(maskProblem(rule('hash'), column('char(4)'))).toMatch(/at least 8/);
    expect(maskProblem(rule('null'), column('varchar(9)', { nullable: false }))).toMatch(/NOT NULL/);
    expect(maskProblem({ kind: 'fixed', value: 'abc' }, column('int(11)'))).toMatch(/not a number/);
    expect(maskProblem({ kind: 'fixed', value: 'toolong' }, column('varchar(3)'))).toMatch(/7 long, the column holds 3/);
    expect(maskProblem({ kind: 'fixed', value: 'c' }, column("enum('a','b')"))).toMatch(/not a member/);
    expect(maskProblem(rule('hash'), column('varchar(64)', { charset: 'utf16' }))).toMatch(/not ASCII-compatible/);
    expect(maskProblem(rule('hash'), column('varchar(64)', { generated: { expression: 'x', stored: true } }))).toMatch(/generated/);
  });
});

describe('maskValue: the name rule is column-aware', () => {
  const named = (name: string): MaskColumn => ({ ...column('varchar(60)'), name });
  const firsts = new Set<string>();
  it('gives a first-name column a first name, a last-name column a last name, other columns both', () => {
    for (let i = 0; i < 40; i++) {
      const input = Buffer.from(`person ${i}`);
      const first = text(maskValue(rule('name'), input, named('first_name'), SECRET))!;
      const last = text(maskValue(rule('name'), input, named('lastName'), SECRET))!;
      const full = text(maskValue(rule('name'), input, named('full_name'), SECRET))!;
      expect(first).toMatch(/^[A-Z][a-z]+$/);
      expect(last).toMatch(/^[A-Z][a-z]+$/);
      expect(full).toBe(`${first} ${last}`);
      expect(text(maskValue(rule('name'), input, named('name'), SECRET))).toBe(full);
      firsts.add(first);
    }
    expect(firsts.size).toBeGreaterThan(5);
    expect(namePart('surname')).toBe('last');
    expect(namePart('given_name')).toBe('first');
    expect(namePart('display_name')).toBe('full');
  });
});
