import {
  BIT_TYPES,
  BYTE_STRING_TYPES,
  CHAR_TYPES,
  ENUM_SET_TYPES,
  FIXED_POINT_TYPES,
  FRACTIONAL_SECONDS_TYPES,
} from '../sql/column-types.js';
import { stripIntegerDisplayWidth } from '../snapshot/dialect.js';
import type { Column } from '../snapshot/model.js';
import type { Safety } from './changes.js';

const INTEGER_RANK: Record<string, number> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 5 };
const TEXT_RANK: Record<string, number> = {
  tinytext: 1,
  text: 2,
  mediumtext: 3,
  longtext: 4,
  tinyblob: 1,
  blob: 2,
  mediumblob: 3,
  longblob: 4,
};

/** Parsed length/precision pieces of a column type. */
function typeArgs(type: string): number[] {
  const m = /^[a-z]+\(([\d,\s]+)\)/i.exec(type);
  return m ? m[1]!.split(',').map((v) => Number(v.trim())) : [];
}

function enumValues(type: string): string[] {
  const m = /^(?:enum|set)\((.*)\)/is.exec(type);
  if (!m) return [];
  return [...m[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((v) => v[1]!.replace(/''/g, "'"));
}

function unsigned(type: string): boolean {
  return /\bunsigned\b/i.test(type);
}

/**
 * Whether changing a column from one definition to another can lose or reject data, and why.
 * Conservative: a change we cannot classify is destructive.
 */
export function columnChangeSafety(from: Column, to: Column): Safety {
  const reasons: string[] = [];
  const a = from.dataType;
  const b = to.dataType;
  const label = `column ${from.name}`;
  if (a !== b) {
    const widening =
      (INTEGER_RANK[a] !== undefined &&
        INTEGER_RANK[b] !== undefined &&
        INTEGER_RANK[b]! >= INTEGER_RANK[a]! &&
        unsigned(from.type) === unsigned(to.type)) ||
      (TEXT_RANK[a] !== undefined &&
        TEXT_RANK[b] !== undefined &&
        TEXT_RANK[b]! >= TEXT_RANK[a]! &&
        a.endsWith('blob') === b.endsWith('blob')) ||
      (a === 'varchar' && TEXT_RANK[b] !== undefined && !b.endsWith('blob')) ||
      (a === 'char' && b === 'varchar' && (typeArgs(to.type)[0] ?? 0) >= (typeArgs(from.type)[0] ?? 0)) ||
      (a === 'float' && b === 'double') ||
      (a === 'date' && b === 'datetime');
    if (!widening) reasons.push(`${label}: type changes from ${from.type} to ${to.type} (values may be converted, truncated or rejected)`);
  } else if (INTEGER_RANK[a] !== undefined) {
    if (unsigned(from.type) !== unsigned(to.type))
      reasons.push(
        `${label}: ${unsigned(from.type) ? 'unsigned to signed' : 'signed to unsigned'} (values out of the new range are clipped)`,
      );
  } else if (CHAR_TYPES.has(a) || BYTE_STRING_TYPES.has(a) || BIT_TYPES.has(a)) {
    const [oldLength = 0] = typeArgs(from.type);
    const [newLength = 0] = typeArgs(to.type);
    if (newLength < oldLength) reasons.push(`${label}: shortened from ${from.type} to ${to.type} (longer values are truncated)`);
  } else if (FIXED_POINT_TYPES.has(a)) {
    const [p1 = 10, s1 = 0] = typeArgs(from.type);
    const [p2 = 10, s2 = 0] = typeArgs(to.type);
    if (s2 < s1 || p2 - s2 < p1 - s1) reasons.push(`${label}: precision narrowed from ${from.type} to ${to.type}`);
    if (unsigned(from.type) !== unsigned(to.type) && !unsigned(from.type)) reasons.push(`${label}: signed to unsigned`);
  } else if (ENUM_SET_TYPES.has(a)) {
    const kept = new Set(enumValues(to.type));
    const removed = enumValues(from.type).filter((v) => !kept.has(v));
    if (removed.length > 0)
      reasons.push(`${label}: ${a.toUpperCase()} values removed (${removed.map((v) => `'${v}'`).join(', ')}); rows holding them change`);
  } else if (FRACTIONAL_SECONDS_TYPES.has(a)) {
    const [p1 = 0] = typeArgs(from.type);
    const [p2 = 0] = typeArgs(to.type);
    if (p2 < p1) reasons.push(`${label}: fractional seconds reduced from ${p1} to ${p2}`);
  } else if (a === 'float' || a === 'double') {
    if (stripIntegerDisplayWidth(from.type) !== stripIntegerDisplayWidth(to.type))
      reasons.push(`${label}: floating-point type changes from ${from.type} to ${to.type}`);
  }
  if (from.charset !== to.charset && from.charset !== null && to.charset !== null) {
    reasons.push(`${label}: character set changes from ${from.charset} to ${to.charset} (characters the new set lacks are lost)`);
  }
  if (from.nullable && !to.nullable && !to.generated) reasons.push(`${label}: becomes NOT NULL (existing NULLs are rejected or replaced)`);
  // VIRTUAL or STORED alike: the server computes every row's value from the expression.
  if (from.generated === null && to.generated !== null) reasons.push(`${label}: becomes a generated column (stored values are replaced)`);
  return { destructive: reasons.length > 0, reasons };
}
