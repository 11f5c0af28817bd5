/**
 * The one place a copied value becomes SQL text, for multi-row INSERT (values cannot be bound
 * there without a prepared statement per batch shape). Only ASCII goes into a quoted literal;
 * any other bytes are written as X'..'. A hex literal is a binary string the server stores byte
 * for byte, while a quoted literal passes through the driver's string encoding and the server's
 * reading of the statement text: with SET NAMES binary, MariaDB 10.11 turned a quoted 4-byte
 * UTF-8 character (an emoji) into two other bytes.
 */
import { isAscii } from 'node:buffer';
import { ReplicoopError } from '../errors.js';
import type { ValueKind } from './column-plan.js';

export interface Literal {
  readonly text: string;
  /** Length of text in bytes once UTF-8 encoded (what max_allowed_packet counts). */
  readonly bytes: number;
}

const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const UNSIGNED = /^\d+$/;
const SPECIAL = /[\0\n\r\\'\x1a]/;
const SPECIAL_ALL = /[\0\n\r\\'\x1a]/g;
const ESCAPES: Record<string, string> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\\': '\\\\', "'": "\\'", '\x1a': '\\Z' };

const NULL_LITERAL: Literal = { text: 'NULL', bytes: 4 };

export function sqlLiteral(kind: ValueKind, value: Buffer | null): Literal {
  if (value === null) return NULL_LITERAL;
  if (kind === 'number' || kind === 'bit') {
    const text = value.toString('latin1');
    if ((kind === 'number' ? NUMERIC : UNSIGNED).test(text)) return { text, bytes: text.length };
    if (kind === 'bit') throw new ReplicoopError('copy_bad_value', `a BIT value must be an unsigned number, got "${text.slice(0, 40)}"`);
  }
  const literal = stringLiteral(value);
  // The literal is binary (SET NAMES binary); CONVERT makes it characters. 23 = the wrapper's length.
  if (kind === 'text') return { text: `CONVERT(${literal.text} USING utf8mb4)`, bytes: literal.bytes + 23 };
  return literal;
}

function stringLiteral(value: Buffer): Literal {
  if (!isAscii(value)) return { text: `X'${value.toString('hex')}'`, bytes: value.length * 2 + 3 };
  const text = value.toString('latin1');
  if (!SPECIAL.test(text)) return { text: `'${text}'`, bytes: text.length + 2 };
  const escaped = text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!);
  return { text: `'${escaped}'`, bytes: escaped.length + 2 };
}
