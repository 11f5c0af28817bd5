/**
 * The masking gate, pure: which columns of the maintained tables look personal (by name) and
 * are copied neither masked nor deliberately passed through. The planner turns every finding into
 * an error line naming the table, the column and the config line that settles it, so personal
 * data cannot reach the sandbox by accident.
 *
 * Names are compared as tokens: lower case, camelCase and letter/digit boundaries split by "_"
 * ("homeAddress2" -> "home_address_2"), so `ip` matches `last_ip` but not `zip` or `description`,
 * and `address` matches `address2` but not the key column `address_id`.
 */
import type { MaskRule } from '../config/types.js';
import type { Table } from '../snapshot/model.js';
import { globToRegExp } from '../config/glob.js';
import { maskProblem } from './mask-value.js';

export interface PersonalPattern {
  /** Shown in messages: which kind of personal data the name suggests. */
  readonly label: string;
  /** Whether a column name (as the server spells it) is of this kind. */
  readonly matches: (column: string) => boolean;
  /** The rules offered in the message, the first that fits the column is suggested. */
  readonly suggest: readonly MaskRule[];
}

const END = '(_\\d+)?$';
const pattern = (label: string, body: string, suggest: MaskRule[]): PersonalPattern => {
  const re = new RegExp(`(^|_)(${body})${END}`);
  return { label, matches: (column) => re.test(normaliseColumnName(column)), suggest };
};

/** The default masking.require policy (masking.require: default). */
export const DEFAULT_PERSONAL_PATTERNS: readonly PersonalPattern[] = Object.freeze([
  pattern('email', 'e_?mail(_address)?', [{ kind: 'email' }, { kind: 'hash' }, { kind: 'null' }]),
  pattern('phone', '(tele)?phone(_(number|no|nr))?|mobile(_(phone|number))?|cell(_phone)?|fax|msisdn', [
    { kind: 'phone' },
    { kind: 'null' },
    { kind: 'redact' },
  ]),
  pattern('first name', 'first_?name|given_?name|forename|fname', [{ kind: 'name' }, { kind: 'redact' }]),
  pattern('last name', 'last_?name|surname|family_?name|lname', [{ kind: 'name' }, { kind: 'redact' }]),
  pattern('full name', 'full_?name|display_?name|person_?name|customer_?name|contact_?name', [{ kind: 'name' }, { kind: 'redact' }]),
  pattern('ip address', 'ip(_address|_addr)?|ipv[46]|remote_addr', [
    { kind: 'fixed', value: '192.0.2.1' },
    { kind: 'null' },
    { kind: 'hash' },
  ]),
  pattern('address', 'address|street(_address)?|addr|address_line', [{ kind: 'redact' }, { kind: 'null' }]),
  pattern('birth date', 'birth_?date|date_of_birth|dob|birth_?day', [{ kind: 'fixed', value: '1970-01-01' }, { kind: 'null' }]),
  pattern('national id', 'ssn|social_security(_number)?|national_id(_number)?|national_insurance(_number)?|tax_id|passport(_number|_no)?', [
    { kind: 'hash' },
    { kind: 'null' },
  ]),
  pattern('bank or card number', 'iban|card_number|card_no|credit_card(_number)?|cc_number|bank_account(_number)?|account_number', [
    { kind: 'hash' },
    { kind: 'null' },
  ]),
  pattern('credential', 'password(_hash)?|passwd|pwd|pass_hash|(api|access|refresh|auth|remember|reset)?_?token|secret|api_key|salt', [
    { kind: 'hash' },
    { kind: 'null' },
    { kind: 'fixed', value: 'x' },
  ]),
]);

export function normaliseColumnName(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Za-z])(\d)/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase()
    .replace(/^_+|_+$/g, '');
}

/** The personal-data kind a column name suggests under `patterns`, or null. */
export function personalKind(column: string, patterns: readonly PersonalPattern[]): PersonalPattern | null {
  return patterns.find((p) => p.matches(column)) ?? null;
}

/** User globs (masking.require: ["*_note", ...]) as patterns; `default` stands for the default list. */
export function requirePatterns(require: readonly string[]): PersonalPattern[] {
  const out: PersonalPattern[] = [];
  for (const item of require) {
    if (item === 'default') out.push(...DEFAULT_PERSONAL_PATTERNS);
    else {
      const re = globToRegExp(item);
      out.push({
        label: `masking.require "${item}"`,
        matches: (column) => re.test(column),
        suggest: [{ kind: 'redact' }, { kind: 'hash' }, { kind: 'null' }],
      });
    }
  }
  return out;
}

export interface GateFinding {
  readonly table: string;
  readonly column: string;
  readonly label: string;
  /** A rule that fits the column (maskProblem is null), for the message. */
  readonly suggestion: string;
}

/** Columns of `table` that look personal and have neither a mask nor a passthrough. */
export function unmaskedPersonalColumns(
  table: Table,
  mask: Readonly<Record<string, MaskRule>>,
  passthrough: readonly string[],
  patterns: readonly PersonalPattern[],
): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const column of table.columns) {
    if (column.generated !== null) continue;
    if (mask[column.name] !== undefined || passthrough.includes(column.name)) continue;
    const kind = personalKind(column.name, patterns);
    if (!kind) continue;
    const fitting = kind.suggest.find(
      (rule) => maskProblem(rule, column) === null && uniqueMaskProblem(rule, table, column.name) === null,
    ) ?? { kind: 'null' };
    findings.push({ table: table.name, column: column.name, label: kind.label, suggestion: ruleYaml(fitting) });
  }
  return findings;
}

export function ruleYaml(rule: MaskRule): string {
  if (rule.kind === 'fixed') return `{ fixed: ${JSON.stringify(rule.value)} }`;
  return rule.kind;
}

/** Hex digits a hash needs on a unique column: 128 bits, collisions out of reach. */
const UNIQUE_HASH_HEX = 32;

/**
 * Why `rule` cannot keep a unique column unique, or null. email is unique per input; hash is
 * when the column keeps 128 bits of it; a fixed value, redact (same length, all x), phone (ten
 * million fictional numbers) and name (a thousand combinations) collide.
 */
export function uniqueMaskProblem(rule: MaskRule, table: Table, column: string): string | null {
  const unique = table.indexes.filter((i) => (i.kind === 'primary' || i.kind === 'unique') && i.parts.some((p) => p.column === column));
  if (unique.length === 0) return null;
  const key = unique[0]!.kind === 'primary' ? 'the primary key' : `unique key ${unique[0]!.name}`;
  const where = `mask rule ${ruleYaml(rule)} on ${table.name}.${column}, part of ${key}`;
  switch (rule.kind) {
    case 'email':
    case 'null':
      return null;
    case 'hash': {
      const target = table.columns.find((c) => c.name === column);
      const m = target ? /\((\d+)\)/.exec(target.type) : null;
      const capacity = m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
      return capacity >= UNIQUE_HASH_HEX
        ? null
        : `${where}: a hash cut to ${capacity} characters can collide; unique columns need at least ${UNIQUE_HASH_HEX}`;
    }
    case 'fixed':
      return rule.value === null ? null : `${where}: every row would get the same value`;
    case 'phone':
      return `${where}: fake phone numbers (ten million of them) can collide; use hash or email, or drop the column from the key`;
    case 'name':
      return `${where}: fake names (about a thousand) collide; use hash, or drop the column from the key`;
    case 'redact':
      return `${where}: redacted values of the same length collide; use hash`;
  }
}
