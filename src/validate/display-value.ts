/**
 * Raw column bytes (character_set_results=binary) as text for reports: a key or a value shown to
 * a human must look like what they would type in a WHERE clause, and bytes that are not text in
 * the column's character set are shown as 0x-hex rather than as replacement characters.
 */
import { isUtf8 } from 'node:buffer';
import { BYTE_VALUED_TYPES } from '../sql/column-types.js';

export interface DisplayColumn {
  readonly dataType: string;
  readonly charset: string | null;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function displayValue(value: Buffer | null, column: DisplayColumn, maxLength = Number.MAX_SAFE_INTEGER): string | null {
  if (value === null) return null;
  const charset = (column.charset ?? '').toLowerCase();
  const dataType = column.dataType.toLowerCase();
  let text: string | null;
  if (BYTE_VALUED_TYPES.has(dataType) || charset === 'binary') {
    const latin = value.toString('latin1');
    text = PRINTABLE_ASCII.test(latin) ? latin : null;
  } else if (charset.startsWith('utf8') || charset === 'ascii' || charset === '') {
    text = isUtf8(value) ? value.toString('utf8') : null;
  } else if (charset === 'latin1') {
    text = value.toString('latin1');
  } else {
    const latin = value.toString('latin1');
    text = PRINTABLE_ASCII.test(latin) ? latin : null;
  }
  if (text === null) {
    const hex = value.toString('hex');
    return `0x${hex.length > maxLength ? `${hex.slice(0, maxLength)}...` : hex}`;
  }
  return [...text].length > maxLength ? `${[...text].slice(0, maxLength).join('')}...` : text;
}
