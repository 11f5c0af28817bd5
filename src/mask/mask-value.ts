/**
 * Deterministic masking of one column value, pure (no I/O), shared by the copy engine and by
 * validation.
 *
 * Keyed rules (email, name, phone, hash) derive their output from HMAC-SHA256(secret, rule, bytes):
 * the same input under the same secret gives the same output in every table, so a masked email
 * that is also a join key still joins after masking (as long as both columns are wide enough for
 * the untruncated form: 36 characters for email, 64 for hash). `name` gives a first name, a last
 * name or both by the column's name (namePart). NULL stays NULL for every rule but
 * `fixed`; an empty string stays empty for email, name and phone (there is nothing personal in
 * it, and "has no email" keeps its meaning); `hash` hashes every non-NULL value.
 *
 * Outputs are ASCII, so their length in characters equals their length in bytes in every
 * ASCII-compatible character set; UCS-2/UTF-16/UTF-32 columns are refused up front.
 */
import { createHmac } from 'node:crypto';
import type { MaskRule } from '../config/types.js';
import { ReplicoopError } from '../errors.js';
import { MASKABLE_STRING_TYPES, NUMBER_LITERAL_TYPES, WIDE_CHARSETS } from '../sql/column-types.js';

/** What masking needs to know about a column; both the snapshot Column and CopyColumn fit. */
export interface MaskColumn {
  readonly name: string;
  readonly dataType: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly charset: string | null;
  /** Truthy for generated columns (an object in the snapshot model, a boolean in CopyColumn). */
  readonly generated: unknown;
}

// Fixed-width byte lengths of the TEXT/BLOB family (they have no length in their type).
const LOB_BYTES: Record<string, number> = {
  tinytext: 255,
  tinyblob: 255,
  text: 65_535,
  blob: 65_535,
  mediumtext: 16_777_215,
  mediumblob: 16_777_215,
  longtext: 4_294_967_295,
  longblob: 4_294_967_295,
};

/** Email: `<hex>@example.com`; 24 hex digits normally, never fewer than 12 (uniqueness). */
const EMAIL_DOMAIN = '@example.com';
const EMAIL_HEX = 24;
const EMAIL_MIN_HEX = 12;
/** Hash: the full SHA-256 hex digest, truncated to the column, never below 8 digits. */
const HASH_HEX = 64;
const HASH_MIN_HEX = 8;
/** Phone: +1-555-NNN-NNNN (555 numbers are fictional), or 555NNNNNNN in narrow columns. */
const PHONE_LONG = 15;
const PHONE_SHORT = 10;

const FIRST_NAMES = [
  'Alex',
  'Blake',
  'Casey',
  'Dana',
  'Eden',
  'Finley',
  'Gray',
  'Harper',
  'Indy',
  'Jordan',
  'Kai',
  'Logan',
  'Morgan',
  'Noel',
  'Oakley',
  'Parker',
  'Quinn',
  'Riley',
  'Sage',
  'Taylor',
  'Umber',
  'Val',
  'Wren',
  'Xen',
  'Yael',
  'Zion',
  'Ari',
  'Bo',
  'Cam',
  'Drew',
  'Emery',
  'Frankie',
];
const LAST_NAMES = [
  'Archer',
  'Baker',
  'Carter',
  'Dalton',
  'Ellis',
  'Fisher',
  'Garner',
  'Hayes',
  'Irwin',
  'Jensen',
  'Keller',
  'Lowe',
  'Mercer',
  'Nolan',
  'Oakes',
  'Porter',
  'Quill',
  'Reyes',
  'Sutton',
  'Turner',
  'Upton',
  'Vance',
  'Walsh',
  'Xiong',
  'Young',
  'Zimmer',
  'Abbott',
  'Brooks',
  'Chandler',
  'Dawson',
  'Everett',
  'Foster',
];

/** Rules whose output depends on the masking secret. */
export function isKeyedRule(rule: MaskRule): boolean {
  return rule.kind === 'email' || rule.kind === 'name' || rule.kind === 'phone' || rule.kind === 'hash';
}

/**
 * Why `rule` cannot be applied to `column`, or null when it can. The planner turns a non-null
 * answer into a config error before anything is copied, so maskValue never has to guess.
 */
export function maskProblem(rule: MaskRule, column: MaskColumn): string | null {
  const where = `mask rule ${describeRule(rule)} on column ${column.name} (${column.type})`;
  if (column.generated) return `${where}: the column is generated, its value is computed by the sandbox and cannot be masked`;
  if (rule.kind === 'null' || (rule.kind === 'fixed' && rule.value === null)) {
    return column.nullable ? null : `${where}: the column is NOT NULL`;
  }
  const dataType = column.dataType.toLowerCase();
  if (rule.kind === 'fixed') {
    const text = String(rule.value);
    if (NUMBER_LITERAL_TYPES.has(dataType)) return NUMERIC_TEXT.test(text) ? null : `${where}: "${text}" is not a number`;
    if (dataType === 'enum' || dataType === 'set') {
      const members = enumMembers(column.type);
      const wanted = dataType === 'set' && text !== '' ? text.split(',') : [text];
      return wanted.every((member) => members.includes(member)) ? null : `${where}: "${text}" is not a member of ${column.type}`;
    }
    if (MASKABLE_STRING_TYPES.has(dataType)) {
      const charsetProblem = asciiProblem(column);
      if (charsetProblem) return `${where}: ${charsetProblem}`;
      const length = stringCapacity(column);
      const size = isBinary(column) ? Buffer.byteLength(text) : [...text].length;
      return size <= length ? null : `${where}: "${text}" is ${size} long, the column holds ${length}`;
    }
    // Temporal, json, spatial and other types: the server converts the text; a value it cannot
    // take surfaces as a copy warning, which the engine treats as an error.
    return null;
  }
  if (!MASKABLE_STRING_TYPES.has(dataType)) return `${where}: string masks need a character or binary string column`;
  const charsetProblem = asciiProblem(column);
  if (charsetProblem) return `${where}: ${charsetProblem}`;
  const length = stringCapacity(column);
  switch (rule.kind) {
    case 'email':
      return length >= EMAIL_DOMAIN.length + EMAIL_MIN_HEX
        ? null
        : `${where}: a unique fake email needs at least ${EMAIL_DOMAIN.length + EMAIL_MIN_HEX} characters, the column holds ${length}`;
    case 'hash':
      return length >= HASH_MIN_HEX ? null : `${where}: a hash needs at least ${HASH_MIN_HEX} characters, the column holds ${length}`;
    case 'phone':
      return length >= PHONE_SHORT
        ? null
        : `${where}: a fake phone number needs at least ${PHONE_SHORT} characters, the column holds ${length}`;
    case 'name':
    case 'redact':
      return null;
  }
}

/**
 * The masked bytes for one value (raw bytes as the server sends them, NULL as null). Assumes
 * maskProblem(rule, column) is null; the output is fitted to the column's length.
 */
export function maskValue(rule: MaskRule, value: Buffer | null, column: MaskColumn, secret: string | null): Buffer | null {
  switch (rule.kind) {
    case 'null':
      return null;
    case 'fixed':
      return rule.value === null ? null : Buffer.from(String(rule.value), 'utf8');
    case 'redact':
      return value === null ? null : redact(value, column);
  }
  if (value === null) return null;
  if (value.length === 0 && rule.kind !== 'hash') return value;
  const digest = hmac(rule.kind, value, secret);
  const length = stringCapacity(column);
  switch (rule.kind) {
    case 'email': {
      const hex = digest.toString('hex').slice(0, Math.min(EMAIL_HEX, length - EMAIL_DOMAIN.length));
      return Buffer.from(hex + EMAIL_DOMAIN, 'latin1');
    }
    case 'hash':
      return Buffer.from(digest.toString('hex').slice(0, Math.min(HASH_HEX, length)), 'latin1');
    case 'phone': {
      const digits = String(digest.readUInt32BE(0) % 10_000_000).padStart(7, '0');
      const text = length >= PHONE_LONG ? `+1-555-${digits.slice(0, 3)}-${digits.slice(3)}` : `555${digits}`;
      return Buffer.from(text, 'latin1');
    }
    case 'name': {
      const first = FIRST_NAMES[digest[0]! % FIRST_NAMES.length]!;
      const last = LAST_NAMES[digest[1]! % LAST_NAMES.length]!;
      const part = namePart(column.name);
      const text = part === 'first' ? first : part === 'last' ? last : `${first} ${last}`;
      return Buffer.from(text.slice(0, length), 'latin1');
    }
  }
}

/**
 * The `name` rule is column-aware: a first-name column gets a first name, a last-name column a
 * last name, anything else (full_name, name, display_name) both.
 */
export function namePart(column: string): 'first' | 'last' | 'full' {
  const normal = column.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  if (/(^|_)(first_?name|given_?name|forename|fname)(_?\d+)?$/.test(normal)) return 'first';
  if (/(^|_)(last_?name|surname|family_?name|lname)(_?\d+)?$/.test(normal)) return 'last';
  return 'full';
}

function hmac(kind: string, value: Buffer, secret: string | null): Buffer {
  if (secret === null || secret === '') {
    throw new ReplicoopError('mask_secret_missing', `the ${kind} mask needs masking.secret (an HMAC key) and none is configured`);
  }
  // The rule name separates domains: an email's hash and its fake address share no bits.
  return createHmac('sha256', secret).update(kind).update('\0').update(value).digest();
}

/** Same length in characters (bytes for binary columns), every character replaced by 'x'. */
function redact(value: Buffer, column: MaskColumn): Buffer {
  const charset = (column.charset ?? 'binary').toLowerCase();
  let count = value.length;
  if (charset.startsWith('utf8')) {
    // Continuation bytes (10xxxxxx) do not start a character.
    count = 0;
    for (const byte of value) if ((byte & 0xc0) !== 0x80) count++;
  } else if (!isSingleByteCharset(charset)) {
    // Multi-byte legacy charsets (sjis, gbk, ...): bytes bound the character count from above,
    // so cap at the column's capacity to stay insertable.
    count = Math.min(count, stringCapacity(column));
  }
  return Buffer.alloc(count, 'x');
}

function isSingleByteCharset(charset: string): boolean {
  return (
    charset === 'binary' ||
    /^(latin\d|ascii|cp12\d\d|cp8\d\d|cp1250|cp1251|cp1256|cp1257|koi8[ru]|greek|hebrew|armscii8|dec8|hp8|keybcs2|macce|macroman|swe7|tis620|geostd8)$/.test(
      charset,
    )
  );
}

function isBinary(column: MaskColumn): boolean {
  return /binary|blob/.test(column.dataType.toLowerCase());
}

function asciiProblem(column: MaskColumn): string | null {
  const charset = column.charset?.toLowerCase() ?? null;
  return charset !== null && WIDE_CHARSETS.has(charset)
    ? `character set ${charset} is not ASCII-compatible, masks are not supported on it`
    : null;
}

/** Characters (bytes for binary and LOB types) the column can hold. */
function stringCapacity(column: MaskColumn): number {
  const dataType = column.dataType.toLowerCase();
  const lob = LOB_BYTES[dataType];
  if (lob !== undefined) return lob;
  const m = /\((\d+)\)/.exec(column.type);
  if (m) return Number(m[1]);
  // CHAR and BINARY without a length mean (1).
  return dataType === 'char' || dataType === 'binary' ? 1 : Number.MAX_SAFE_INTEGER;
}

const NUMERIC_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function enumMembers(type: string): string[] {
  const members: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  for (let m = re.exec(type); m; m = re.exec(type)) members.push(m[1]!.replace(/''/g, "'"));
  return members;
}

function describeRule(rule: MaskRule): string {
  return rule.kind === 'fixed' ? `fixed:${rule.value === null ? 'null' : String(rule.value)}` : rule.kind;
}
