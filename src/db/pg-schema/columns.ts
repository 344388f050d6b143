// Column pieces every PostgreSQL mirror table shares, so the type mapping from SQLite is decided once.
import { sql } from 'drizzle-orm'
import { bigint, customType } from 'drizzle-orm/pg-core'

/** The SQLite tables' `strftime('%Y-%m-%dT%H:%M:%fZ','now')`: the same text ("2026-12-03T11:46:26.123Z"), so
 * timestamps read back identically from either engine. */
export const now = sql`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** Every SQLite integer: ids, WordPress ids (which can exceed 2^31), counts and millisecond epochs alike.
 * Mode `number` reads them back as JS numbers, as SQLite does. */
export const int = (name: string) => bigint(name, { mode: 'number' })

/** A SQLite integer primary key (rowid alias). By default, not always: `igny8 db copy` inserts the old ids. */
export const id = (name = 'id') => int(name).primaryKey().generatedByDefaultAsIdentity()

/**
 * SQLite text, which compares byte by byte (BINARY). The "C" collation does the same whatever the database's
 * default: src/content/tree.ts relies on it (\x01 and \x02 sort below every printable character, and
 * `path < prefix || U+10FFFF` bounds a subtree), and listings then sort alike on both engines. A language
 * collation (en_US, ICU) ignores control characters and folds case, which would break both.
 * `enum` only documents the allowed values (plain text, as in SQLite; no pg enums).
 */
export const text = customType<{ data: string; driverData: string; config: { enum?: readonly string[] } }>({
  dataType: () => 'text COLLATE "C"',
})
