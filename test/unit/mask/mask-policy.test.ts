import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PERSONAL_PATTERNS,
  normaliseColumnName,
  personalKind,
  requirePatterns,
  uniqueMaskProblem,
  unmaskedPersonalColumns,
} from '../../../src/mask/mask-policy.js';
import { column, index, primaryKey, table } from '../diff/builders.js';

const kind = (name: string): string | null => personalKind(name, DEFAULT_PERSONAL_PATTERNS)?.label ?? null;

describe('the default masking.require policy', () => {
  it('matches personal-looking column names by tokens', () => {
    expect(normaliseColumnName('homeAddress2')).toBe('home_address_2');
    const cases: Record<string, string | null> = {
      email: 'email',
      user_email: 'email',
      EmailAddress: 'email',
      e_mail: 'email',
      phone: 'phone',
      mobile_number: 'phone',
      fax: 'phone',
      first_name: 'first name',
      firstName: 'first name',
      last_name: 'last name',
      surname: 'last name',
      full_name: 'full name',
      address: 'address',
      address2: 'address',
      street: 'address',
      birth_date: 'birth date',
      dob: 'birth date',
      date_of_birth: 'birth date',
      ssn: 'national id',
      national_id: 'national id',
      iban: 'bank or card number',
      card_number: 'bank or card number',
      ip: 'ip address',
      last_ip: 'ip address',
      ip_address: 'ip address',
      password: 'credential',
      password_hash: 'credential',
      api_token: 'credential',
      remember_token: 'credential',
      token: 'credential',
      secret: 'credential',
      // not personal: keys, lookalike words
      address_id: null,
      zip: null,
      description: null,
      shipping: null,
      name: null,
      category_name: null,
      phone_id: null,
      tokens_used: null,
      email_verified_at: null,
      hire_date: null,
    };
    for (const [name, want] of Object.entries(cases)) expect(kind(name), name).toBe(want);
  });

  it('adds user globs, "default" standing for the built-in list', () => {
    const patterns = requirePatterns(['default', '*_note']);
    expect(personalKind('private_note', patterns)!.label).toBe('masking.require "*_note"');
    expect(personalKind('email', patterns)!.label).toBe('email');
    expect(personalKind('email', requirePatterns(['*_note']))).toBeNull();
  });

  it('lists unmasked personal columns, skipping masked and passed-through ones, with a rule that fits', () => {
    const t = table('customer', {
      columns: [
        column('id', { nullable: false }),
        column('email', { dataType: 'varchar', type: 'varchar(50)' }),
        column('first_name', { dataType: 'varchar', type: 'varchar(45)' }),
        column('phone', { dataType: 'varchar', type: 'varchar(20)' }),
        column('birth_date', { dataType: 'date', type: 'date' }),
      ],
    });
    const findings = unmaskedPersonalColumns(t, { email: { kind: 'email' } }, ['phone'], DEFAULT_PERSONAL_PATTERNS);
    expect(findings).toEqual([
      { table: 'customer', column: 'first_name', label: 'first name', suggestion: 'name' },
      { table: 'customer', column: 'birth_date', label: 'birth date', suggestion: '{ fixed: "1970-01-01" }' },
    ]);
  });
});

describe('masks on unique columns keep them unique or are refused', () => {
  const t = table('users', {
    columns: [
      column('id', { nullable: false }),
      column('email', { dataType: 'varchar', type: 'varchar(100)' }),
      column('code', { dataType: 'char', type: 'char(16)' }),
      column('nick', { dataType: 'varchar', type: 'varchar(40)' }),
      column('free', { dataType: 'varchar', type: 'varchar(40)' }),
    ],
    indexes: [
      primaryKey('id'),
      index('uk_email', ['email'], { kind: 'unique' }),
      index('uk_code', ['code'], { kind: 'unique' }),
      index('uk_nick', ['nick'], { kind: 'unique' }),
    ],
  });
  it('accepts email and a full hash, refuses short hashes, phone, name, redact and fixed on unique keys', () => {
    expect(uniqueMaskProblem({ kind: 'email' }, t, 'email')).toBeNull();
    expect(uniqueMaskProblem({ kind: 'hash' }, t, 'nick')).toBeNull();
    expect(uniqueMaskProblem({ kind: 'hash' }, t, 'code')).toMatch(
      /users\.code, part of unique key uk_code: a hash cut to 16 characters can collide/,
    );
    expect(uniqueMaskProblem({ kind: 'phone' }, t, 'nick')).toMatch(/fake phone numbers .* can collide/);
    expect(uniqueMaskProblem({ kind: 'name' }, t, 'nick')).toMatch(/fake names .* collide/);
    expect(uniqueMaskProblem({ kind: 'redact' }, t, 'nick')).toMatch(/collide/);
    expect(uniqueMaskProblem({ kind: 'fixed', value: 'x' }, t, 'nick')).toMatch(/same value/);
    expect(uniqueMaskProblem({ kind: 'name' }, t, 'free')).toBeNull();
  });
});
