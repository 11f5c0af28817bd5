/**
 * Every family of column types, once. Names are information_schema DATA_TYPE values, lower case,
 * as either flavor reports them (MySQL 8 says `geomcollection` where MariaDB says
 * `geometrycollection`). The base families are disjoint; the purpose families below them are
 * unions named for what their users do with them, so a new type (MariaDB's VECTOR, INET4) is
 * added in one place and reaches every stage that must know it.
 */

const family = (...names: readonly string[]): ReadonlySet<string> => Object.freeze(new Set(names));
const union = (...sets: readonly ReadonlySet<string>[]): ReadonlySet<string> => family(...sets.flatMap((s) => [...s]));

// --- base families (disjoint) ---------------------------------------------------------------

export const INTEGER_TYPES = family('tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint');
export const FIXED_POINT_TYPES = family('decimal', 'numeric');
/** `double precision` is a synonym the catalog never reports, accepted for text that does. */
export const FLOATING_POINT_TYPES = family('float', 'double', 'real', 'double precision');
/** Synonyms of TINYINT(1) accepted in DDL; the catalog reports tinyint. */
export const BOOLEAN_ALIASES = family('bool', 'boolean');
export const BIT_TYPES = family('bit');
export const YEAR_TYPES = family('year');
export const DATE_TYPES = family('date');
/** Time types that take a fractional-seconds precision: DATETIME(6), TIMESTAMP(3), TIME(1). */
export const FRACTIONAL_SECONDS_TYPES = family('datetime', 'timestamp', 'time');
/** Character strings of bounded length (CHAR, VARCHAR). */
export const CHAR_TYPES = family('char', 'varchar');
/** The TEXT family: character large objects. */
export const TEXT_TYPES = family('tinytext', 'text', 'mediumtext', 'longtext');
export const BYTE_STRING_TYPES = family('binary', 'varbinary');
export const BLOB_TYPES = family('tinyblob', 'blob', 'mediumblob', 'longblob');
export const ENUM_SET_TYPES = family('enum', 'set');
export const SPATIAL_TYPES = family(
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
);
export const JSON_TYPES = family('json');
/** MariaDB 11.7+: packed float32 vectors. */
export const VECTOR_TYPES = family('vector');
/** MariaDB's native types whose values travel as text (`'…'::uuid`), stored in a binary form. */
export const TEXT_FORM_NATIVE_TYPES = family('uuid', 'inet4', 'inet6');

// --- purpose families -----------------------------------------------------------------------

/** Plain numbers: their text form is a numeric literal, written unquoted and unescaped. */
export const NUMERIC_TYPES = union(INTEGER_TYPES, FIXED_POINT_TYPES, FLOATING_POINT_TYPES);
/** Types whose values (and defaults) may be written as a bare number. */
export const NUMBER_LITERAL_TYPES = union(NUMERIC_TYPES, BIT_TYPES, YEAR_TYPES, BOOLEAN_ALIASES);
/** Date and time types whose text form the server parses back exactly (YEAR is separate). */
export const DATE_TIME_TYPES = union(DATE_TYPES, FRACTIONAL_SECONDS_TYPES);
/** Date, time and YEAR: text forms that need no escaping. */
export const TEMPORAL_TYPES = union(DATE_TIME_TYPES, YEAR_TYPES);
/** Strings in a character set, compared under a collation. */
export const CHARACTER_STRING_TYPES = union(CHAR_TYPES, TEXT_TYPES);
/** Character strings plus ENUM/SET, whose defaults are quoted string literals. */
export const STRING_LITERAL_TYPES = union(CHARACTER_STRING_TYPES, ENUM_SET_TYPES);
/** Strings of bytes, compared byte by byte. */
export const BINARY_STRING_TYPES = union(BYTE_STRING_TYPES, BLOB_TYPES);
/** Every string a string mask can write: character or binary. */
export const MASKABLE_STRING_TYPES = union(CHARACTER_STRING_TYPES, BINARY_STRING_TYPES);
/**
 * Values that are bytes, not text: a dump writes them as hex, a report shows them as hex unless
 * they happen to be printable ASCII.
 */
export const BYTE_VALUED_TYPES = union(BINARY_STRING_TYPES, BIT_TYPES, SPATIAL_TYPES, VECTOR_TYPES);
/** MySQL refuses a literal DEFAULT on these (an expression DEFAULT (…) is the only way). */
export const NO_LITERAL_DEFAULT_TYPES = union(BLOB_TYPES, TEXT_TYPES, JSON_TYPES, SPATIAL_TYPES);

// --- character sets -------------------------------------------------------------------------

/** Character sets in which ASCII text is not one byte per character. */
export const WIDE_CHARSETS = family('ucs2', 'utf16', 'utf16le', 'utf32');
/**
 * Character sets whose every stored string survives a trip to utf8mb4 text and back; text in any
 * other character set is dumped as hex of its own bytes.
 */
export const UTF8_SAFE_CHARSETS = union(family('utf8mb4', 'utf8mb3', 'utf8', 'ascii', 'latin1'), WIDE_CHARSETS);

/** Membership by DATA_TYPE, whatever its case. */
export function isOfType(types: ReadonlySet<string>, dataType: string): boolean {
  return types.has(dataType.toLowerCase());
}
