/**
 * Every difference between MariaDB and MySQL 8 that the model cares about lives here:
 * how information_schema spells types, defaults, expressions and options on each flavor, and
 * how each flavor's SHOW CREATE TABLE prints them. Pure functions, unit-tested for both.
 */
import type { Flavor } from '../sql/server-info.js';
import { quoteString } from '../sql/quote.js';
import type { ReferentialAction } from './model.js';
import { INTEGER_TYPES, NO_LITERAL_DEFAULT_TYPES, NUMBER_LITERAL_TYPES, STRING_LITERAL_TYPES } from '../sql/column-types.js';

export function isIntegerType(dataType: string): boolean {
  return INTEGER_TYPES.has(dataType);
}

export function isNumericType(dataType: string): boolean {
  return NUMBER_LITERAL_TYPES.has(dataType);
}

export function isStringType(dataType: string): boolean {
  return STRING_LITERAL_TYPES.has(dataType);
}

/** utf8 is utf8mb3 on every server that still has it; the newer name is the canonical one. */
export function canonicalCharset(name: string | null): string | null {
  if (name === null) return null;
  const lower = name.toLowerCase();
  return lower === 'utf8' ? 'utf8mb3' : lower;
}

export function canonicalCollation(name: string | null): string | null {
  if (name === null) return null;
  const lower = name.toLowerCase();
  return lower.startsWith('utf8_') ? `utf8mb3_${lower.slice(5)}` : lower;
}

/** The type as the model stores it: information_schema COLUMN_TYPE, flavor spellings folded. */
export function canonicalColumnType(columnType: string, dataType: string): string {
  let type = columnType.trim();
  // MariaDB prints year(4), MySQL 8 prints year; the width is meaningless.
  if (dataType === 'year') type = type.replace(/^year\(\d+\)/i, 'year');
  return type;
}

/** "int(11) unsigned" -> "int unsigned": MySQL 8.0.19+ no longer reports integer display widths. */
export function stripIntegerDisplayWidth(type: string): string {
  if (/zerofill/i.test(type)) return type;
  if (/^tinyint\(1\)/i.test(type)) return type;
  return type.replace(/^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/i, '$1');
}

export interface ParsedExtra {
  readonly autoIncrement: boolean;
  readonly invisible: boolean;
  readonly generated: 'VIRTUAL' | 'STORED' | null;
  readonly defaultGenerated: boolean;
  readonly onUpdate: string | null;
}

/** COLUMNS.EXTRA on both flavors: "auto_increment, INVISIBLE", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP", ... */
export function parseExtra(extra: string | null): ParsedExtra {
  const text = extra ?? '';
  const onUpdate = /on update\s+([a-z_]+(?:\(\d*\))?)/i.exec(text);
  return {
    autoIncrement: /auto_increment/i.test(text),
    invisible: /\bINVISIBLE\b/i.test(text),
    generated: /VIRTUAL GENERATED/i.test(text) ? 'VIRTUAL' : /STORED GENERATED|PERSISTENT GENERATED/i.test(text) ? 'STORED' : null,
    defaultGenerated: /DEFAULT_GENERATED/i.test(text),
    onUpdate: onUpdate ? canonicalTemporalFunction(onUpdate[1]!) : null,
  };
}

/** CURRENT_TIMESTAMP, now(), localtimestamp(6) ... -> current_timestamp() / current_timestamp(6). */
export function canonicalTemporalFunction(text: string): string {
  const m = /^(current_timestamp|now|localtime|localtimestamp)(?:\((\d*)\))?$/i.exec(text.trim());
  if (!m) return text.trim();
  return `current_timestamp(${m[2] && m[2] !== '0' ? m[2] : ''})`;
}

export interface DefaultContext {
  readonly dataType: string;
  readonly nullable: boolean;
  readonly autoIncrement: boolean;
  readonly generated: boolean;
  readonly defaultGenerated: boolean;
}

/**
 * COLUMNS.COLUMN_DEFAULT -> the canonical DEFAULT clause value, or null for "no DEFAULT clause".
 * MariaDB (10.2.7+) already reports SQL: 'abc' quoted, NULL as the word, expressions as text.
 * MySQL reports the bare value and flags expressions with DEFAULT_GENERATED.
 */
export function canonicalDefault(raw: string | null, context: DefaultContext, flavor: Flavor): string | null {
  if (context.autoIncrement || context.generated) return null;
  if (flavor === 'mariadb') {
    if (raw === null) return null;
    if (raw === 'NULL') return 'NULL';
    if (raw.startsWith("'") || /^b'[01]*'$/i.test(raw) || isNumericLiteral(raw)) return raw;
    return canonicalExpression(raw);
  }
  if (raw === null) return context.nullable ? 'NULL' : null;
  if (context.defaultGenerated) return canonicalExpression(raw);
  if (/^b'[01]*'$/i.test(raw)) return raw;
  if (isNumericType(context.dataType) && context.dataType !== 'bit' && isNumericLiteral(raw)) return raw;
  return quoteString(raw);
}

function isNumericLiteral(text: string): boolean {
  return /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(text);
}

/**
 * An expression default or generated expression in canonical form: temporal functions in one
 * spelling, a single function call bare, anything else in one pair of parentheses.
 */
export function canonicalExpression(text: string): string {
  const inner = stripOuterParens(text.trim());
  const temporal = canonicalTemporalFunction(inner);
  if (temporal !== inner) return temporal;
  if (/^[a-z_][a-z0-9_]*\(/i.test(inner) && matchingParen(inner, inner.indexOf('(')) === inner.length - 1) return inner;
  return `(${inner})`;
}

/** MySQL stores generated/check expressions with outer parentheses and escaped quotes. */
export function canonicalGenerationExpression(text: string, flavor: Flavor): string {
  const unescaped = flavor === 'mysql' ? text.replace(/\\'/g, "'") : text;
  return stripOuterParens(unescaped.trim());
}

export function canonicalCheckClause(text: string, flavor: Flavor): string {
  return canonicalGenerationExpression(text, flavor);
}

export function stripOuterParens(text: string): string {
  let out = text;
  while (out.startsWith('(') && matchingParen(out, 0) === out.length - 1) out = out.slice(1, -1).trim();
  return out;
}

/** Index of the parenthesis closing the one at `open`, skipping quoted text; -1 if unbalanced. */
export function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) {
        if (text[i + 1] === quote) i++;
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export function canonicalAction(rule: string): ReferentialAction {
  const upper = rule.toUpperCase().trim();
  if (upper === 'NO ACTION' || upper === 'RESTRICT' || upper === '') return 'RESTRICT';
  if (upper === 'CASCADE' || upper === 'SET NULL' || upper === 'SET DEFAULT') return upper;
  return 'RESTRICT';
}

/** CREATE_OPTIONS ("row_format=DYNAMIC stats_persistent=1 partitioned") -> ["ROW_FORMAT=DYNAMIC", "STATS_PERSISTENT=1"]. */
export function parseCreateOptions(raw: string | null): string[] {
  if (!raw) return [];
  const out: string[] = [];
  for (const token of raw.match(/(?:`[^`]*`|[^\s=]+)=(?:'(?:[^']|'')*'|\S+)|\S+/g) ?? []) {
    if (token.toLowerCase() === 'partitioned') continue;
    const eq = token.indexOf('=');
    if (eq < 0) {
      out.push(token.toUpperCase());
      continue;
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    out.push(`${key.startsWith('`') ? key : key.toUpperCase()}=${value}`);
  }
  return out;
}

/** Whether a type may carry a literal DEFAULT (MySQL disallows it for BLOB/TEXT/JSON/GEOMETRY). */
export function takesLiteralDefault(dataType: string): boolean {
  return !NO_LITERAL_DEFAULT_TYPES.has(dataType);
}

/** How each flavor's SHOW CREATE TABLE prints the things that differ. */
export interface RenderRules {
  readonly flavor: Flavor;
  /** MySQL 8.0.19+: int instead of int(11). */
  readonly integerDisplayWidths: boolean;
  /** MariaDB: year(4). */
  readonly yearWidth: boolean;
  /** MySQL prints numeric defaults quoted: DEFAULT '0'. */
  readonly quoteNumericDefaults: boolean;
  /** MySQL prints CURRENT_TIMESTAMP; MariaDB current_timestamp(). */
  readonly upperCaseCurrentTimestamp: boolean;
  /** MySQL requires (and prints) parentheses around every non-temporal expression default. */
  readonly parenthesiseExpressionDefaults: boolean;
  /** MySQL omits DEFAULT NULL for BLOB/TEXT/JSON/GEOMETRY. */
  readonly defaultNullOnLobs: boolean;
  /** MariaDB: json is longtext + CHECK (json_valid(col)). */
  readonly jsonAsLongtext: boolean;
  /** MariaDB: IGNORED; MySQL: INVISIBLE (in a version comment). */
  readonly ignoredIndexKeyword: string;
  /** ALTER INDEX name <this>: MariaDB IGNORED / NOT IGNORED, MySQL INVISIBLE / VISIBLE. */
  readonly alterIndexIgnored: readonly [ignored: string, notIgnored: string];
  readonly invisibleColumnKeyword: string;
  /** MySQL wraps generated expressions and checks in an extra pair of parentheses. */
  readonly doubleParenExpressions: boolean;
}

export function renderRules(flavor: Flavor, major = 10, minor = 11, patch = 0): RenderRules {
  if (flavor === 'mariadb') {
    return {
      flavor,
      integerDisplayWidths: true,
      yearWidth: true,
      quoteNumericDefaults: false,
      upperCaseCurrentTimestamp: false,
      parenthesiseExpressionDefaults: false,
      defaultNullOnLobs: true,
      jsonAsLongtext: true,
      ignoredIndexKeyword: 'IGNORED',
      // DROP + ADD of the same key in one ALTER loses IGNORED on MariaDB 10.11 (measured): ALTER INDEX it is.
      alterIndexIgnored: ['IGNORED', 'NOT IGNORED'],
      invisibleColumnKeyword: 'INVISIBLE',
      doubleParenExpressions: false,
    };
  }
  const modern = major > 8 || (major === 8 && (minor > 0 || patch >= 19));
  return {
    flavor,
    integerDisplayWidths: !modern,
    yearWidth: false,
    quoteNumericDefaults: true,
    upperCaseCurrentTimestamp: true,
    parenthesiseExpressionDefaults: true,
    defaultNullOnLobs: false,
    jsonAsLongtext: false,
    ignoredIndexKeyword: '/*!80000 INVISIBLE */',
    alterIndexIgnored: ['INVISIBLE', 'VISIBLE'],
    invisibleColumnKeyword: '/*!80023 INVISIBLE */',
    doubleParenExpressions: true,
  };
}

/** The type as the flavor prints it. */
export function renderType(type: string, dataType: string, rules: RenderRules): string {
  let out = type;
  if (!rules.integerDisplayWidths && isIntegerType(dataType)) out = stripIntegerDisplayWidth(out);
  if (dataType === 'year' && rules.yearWidth && out === 'year') out = 'year(4)';
  if (rules.flavor === 'mysql') out = out.replace(/\s*\/\*M!\d+ [^*]*\*\//g, '');
  return out;
}

/** A canonical default as the flavor prints it. */
export function renderDefault(value: string, dataType: string, rules: RenderRules): string {
  if (value === 'NULL') return 'NULL';
  if (value.startsWith('current_timestamp(')) return rules.upperCaseCurrentTimestamp ? value.toUpperCase().replace('()', '') : value;
  if (value.startsWith("'") || /^b'/i.test(value)) return value;
  if (/^[-+]?(\d|\.\d)/.test(value)) return rules.quoteNumericDefaults && dataType !== 'bit' ? `'${value}'` : value;
  if (rules.parenthesiseExpressionDefaults && !value.startsWith('(')) return `(${value})`;
  return value;
}

/**
 * How a column whose generation changes can be altered (measured on MariaDB 10.11; MySQL 8
 * documents the same limits). MODIFY is refused with error 1907 (MySQL: 3106) for
 * regular -> VIRTUAL, VIRTUAL <-> STORED, VIRTUAL -> regular and a VIRTUAL expression change
 * that also changes its kind; it works for regular -> STORED (values computed), STORED ->
 * regular (each row keeps its stored value) and an expression change of the same kind.
 * - modify: MODIFY COLUMN.
 * - replace: DROP + ADD in one ALTER (the values are computed from the expression again).
 * - materialize: VIRTUAL -> regular; the values exist nowhere but in the expression, so a
 *   temporary STORED column computes them first and then takes the column's place.
 */
export type GeneratedColumnChange = 'modify' | 'replace' | 'materialize';

export function generatedColumnChange(
  from: { readonly generated: { readonly expression: string; readonly stored: boolean } | null },
  to: { readonly generated: { readonly expression: string; readonly stored: boolean } | null },
): GeneratedColumnChange {
  const a = from.generated;
  const b = to.generated;
  if (a === null && b === null) return 'modify';
  if (a !== null && !a.stored && b === null) return 'materialize';
  if (a === null) return b!.stored ? 'modify' : 'replace';
  if (b === null) return 'modify';
  if (a.stored !== b.stored) return 'replace';
  // A VIRTUAL column holds no data: re-adding it is always accepted and loses nothing.
  if (!a.stored && a.expression !== b.expression) return 'replace';
  return 'modify';
}

/**
 * MySQL 8's UCA 9.0.0 collations (utf8mb4_0900_*, utf8mb4_<lang>_0900_*) do not exist on MariaDB
 * before 11.4.5 (which adds them as aliases of utf8mb4_uca1400_nopad_*). The closest MariaDB
 * collations are the UCA 14.0.0 ones of 10.10+, in their NO PAD variants: MySQL's 0900 collations
 * are NO PAD. Language codes are MySQL's (manual, "Unicode Character Sets"); the names MariaDB
 * gives the same tailorings are from its uca1400 list (MDEV-27009).
 */
const MYSQL_0900_LANGUAGES: Readonly<Record<string, string>> = {
  hr: 'croatian',
  cs: 'czech',
  da: 'danish',
  eo: 'esperanto',
  et: 'estonian',
  de_pb: 'german2',
  hu: 'hungarian',
  is: 'icelandic',
  lv: 'latvian',
  lt: 'lithuanian',
  pl: 'polish',
  la: 'roman',
  ro: 'romanian',
  sk: 'slovak',
  sl: 'slovenian',
  es: 'spanish',
  es_trad: 'spanish2',
  sv: 'swedish',
  tr: 'turkish',
  vi: 'vietnamese',
};

/** A collation as the sandbox's flavor can take it: the same name, another one (and why), or why none fits. */
export type CollationForFlavor =
  | { readonly kind: 'same' }
  | { readonly kind: 'mapped'; readonly collation: string }
  | { readonly kind: 'unmappable'; readonly reason: string };

export function collationForFlavor(collation: string, flavor: Flavor, major: number, minor: number): CollationForFlavor {
  const m = /^utf8mb4_(?:([a-z]+(?:_[a-z]+)?)_)?0900_(ai_ci|as_ci|as_cs|as_cs_ks|bin)$/.exec(collation.toLowerCase());
  if (flavor !== 'mariadb' || !m) return { kind: 'same' };
  const [, language, strength] = m;
  if (strength === 'bin')
    return language ? { kind: 'unmappable', reason: 'no such MySQL collation' } : { kind: 'mapped', collation: 'utf8mb4_nopad_bin' };
  if (major < 10 || (major === 10 && minor < 10))
    return {
      kind: 'unmappable',
      reason: `MariaDB ${major}.${minor} has no UCA 14.0.0 collations (utf8mb4_uca1400_*, MariaDB 10.10 and later)`,
    };
  if (strength === 'as_cs_ks') return { kind: 'unmappable', reason: 'MariaDB has no kana-sensitive (_ks) collation' };
  if (language === undefined) return { kind: 'mapped', collation: `utf8mb4_uca1400_nopad_${strength}` };
  const name = MYSQL_0900_LANGUAGES[language];
  if (name === undefined) return { kind: 'unmappable', reason: `MariaDB has no UCA 14.0.0 tailoring for the language "${language}"` };
  return { kind: 'mapped', collation: `utf8mb4_uca1400_${name}_nopad_${strength}` };
}
