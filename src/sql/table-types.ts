/**
 * information_schema.TABLES.TABLE_TYPE values. MariaDB reports a system-versioned table as
 * 'SYSTEM VERSIONED' rather than 'BASE TABLE'; both hold rows (views and sequences do not).
 */
export const BASE_TABLE_TYPE = 'BASE TABLE';
export const SYSTEM_VERSIONED_TABLE_TYPE = 'SYSTEM VERSIONED';
export const ROW_TABLE_TYPES: readonly string[] = [BASE_TABLE_TYPE, SYSTEM_VERSIONED_TABLE_TYPE];

/** The IN (...) list of ROW_TABLE_TYPES for SQL text (constants, so no binding needed). */
export const ROW_TABLE_TYPES_SQL = ROW_TABLE_TYPES.map((t) => `'${t}'`).join(', ');
