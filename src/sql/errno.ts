/**
 * Server error numbers replicoop acts on, named once (MariaDB and MySQL share them unless noted).
 * Predicates over driver errors live in db/sql-error.ts; this file is only the vocabulary.
 */

export const ER_NONEXISTING_GRANT = 1141;
/** A table-level privilege is missing (e.g. TRUNCATE needs DROP, DELETE HISTORY its own). */
export const ER_TABLEACCESS_DENIED = 1142;
export const ER_NOT_ALLOWED_COMMAND = 1148;
export const ER_NET_PACKET_TOO_LARGE = 1153;
export const ER_EMPTY_QUERY = 1065;
export const ER_LOCK_WAIT_TIMEOUT = 1205;
/** Duplicate entry for a unique key. */
export const ER_DUP_ENTRY = 1062;
export const ER_LOCK_DEADLOCK = 1213;
export const ER_SPECIFIC_ACCESS_DENIED = 1227;
/** ENUM value out of range: also what the sandbox says when it stores index 0 as sent. */
export const WARN_DATA_TRUNCATED = 1265;
export const ER_PARTITION_MGMT_ON_NONPARTITIONED = 1505;
export const ER_TRUNCATE_ILLEGAL_FK = 1701;
export const ER_UNSUPPORTED_ACTION_ON_GENERATED_COLUMN = 1907;
/** MySQL 8: LOCAL INFILE disabled on the client or server side. */
export const ER_CLIENT_LOCAL_FILES_DISABLED = 3948;
/** MariaDB: TRUNCATE refused on a system-versioned table. */
export const ER_VERS_NOT_SUPPORTED = 4137;
/** MariaDB: LOCAL INFILE refused. */
export const ER_LOAD_INFILE_CAPABILITY_DISABLED = 4166;
/** Client-side: the driver refused the server's file request. */
export const CR_LOAD_DATA_LOCAL_INFILE_REJECTED = 2068;

/**
 * The connection is gone or the server is going away: a reconnect may cure it. 1040 too many
 * connections, 1053 shutdown, 1077 normal shutdown, 1152/1158-1161 network read/write aborted,
 * 1203 too many user connections, 1927 connection killed, 2006 gone away, 2013 lost,
 * 4031 idle timeout (MariaDB).
 */
export const CONNECTION_LOST_ERRNOS: ReadonlySet<number> = new Set([
  1040, 1053, 1077, 1152, 1158, 1159, 1160, 1161, 1203, 1927, 2006, 2013, 4031,
]);

/** Errors that foreign_key_checks=0 avoids (errno 150 is InnoDB's own "foreign key constraint is incorrectly formed"). */
export const FOREIGN_KEY_ERRNOS: ReadonlySet<number> = new Set([
  150, 1005, 1215, 1216, 1217, 1451, 1452, 1553, 1822, 1825, 1826, 1828, 1830, 1831, 1832, 1833, 1834, 3776, 3780,
]);

/** TRUNCATE refused where DELETE works: FK-referenced, missing DROP privilege, system-versioned. */
export const TRUNCATE_REFUSED_ERRNOS: ReadonlySet<number> = new Set([ER_TRUNCATE_ILLEGAL_FK, ER_TABLEACCESS_DENIED, ER_VERS_NOT_SUPPORTED]);
/** DELETE HISTORY: its privilege is missing or the statement is refused. */
export const HISTORY_REFUSED_ERRNOS: ReadonlySet<number> = new Set([ER_TABLEACCESS_DENIED, ER_SPECIFIC_ACCESS_DENIED]);
/** LOAD DATA LOCAL INFILE refused somewhere between client and server. */
export const LOCAL_INFILE_REFUSED_ERRNOS: ReadonlySet<number> = new Set([
  ER_NOT_ALLOWED_COMMAND,
  ER_CLIENT_LOCAL_FILES_DISABLED,
  CR_LOAD_DATA_LOCAL_INFILE_REJECTED,
  ER_LOAD_INFILE_CAPABILITY_DISABLED,
]);

export const ER_DBACCESS_DENIED = 1044;
export const ER_COLUMNACCESS_DENIED = 1143;
/** SHOW CREATE PROCEDURE/FUNCTION of a routine that does not exist (or is hidden). */
export const ER_SP_DOES_NOT_EXIST = 1305;
/** A privilege is missing: the object is hidden from this account, not absent. */
export const ACCESS_DENIED_ERRNOS: ReadonlySet<number> = new Set([
  ER_TABLEACCESS_DENIED,
  ER_DBACCESS_DENIED,
  ER_COLUMNACCESS_DENIED,
  ER_SPECIFIC_ACCESS_DENIED,
]);
/** EXECUTE/ALTER ROUTINE denied on a routine. */
export const ER_PROCACCESS_DENIED = 1370;
/** The table does not exist (or, for a system table, this server has no such table). */
export const ER_NO_SUCH_TABLE = 1146;
/**
 * SELECT refused on a table: its table privilege is missing, or only some of its columns are
 * granted (column-level grants). Sent whether or not the table exists.
 */
export const SELECT_DENIED_ERRNOS: ReadonlySet<number> = new Set([ER_TABLEACCESS_DENIED, ER_COLUMNACCESS_DENIED]);
/** A system table this account cannot read: denied on the table, a column or its database, or absent. */
export const SYSTEM_TABLE_UNREADABLE_ERRNOS: ReadonlySet<number> = new Set([
  ER_TABLEACCESS_DENIED,
  ER_DBACCESS_DENIED,
  ER_NO_SUCH_TABLE,
  ER_COLUMNACCESS_DENIED,
]);
