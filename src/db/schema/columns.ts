// Column types shared by the tables. The tables are queried on both engines (src/db/client.ts), so a value
// must bind and read back the same way on bun:sqlite and postgres.js.
import { customType } from 'drizzle-orm/sqlite-core'

/**
 * A yes/no flag: an INTEGER 0/1 in SQLite, a boolean in PostgreSQL (src/db/pg-schema). Drizzle's own boolean
 * mode writes 1 and reads back `=== 1`, which PostgreSQL's true is not; a JS boolean binds as 1/0 in bun:sqlite
 * and as a boolean in postgres.js, and both read back as true/false here.
 */
export const flag = customType<{ data: boolean; driverData: boolean | number }>({
  dataType: () => 'integer',
  toDriver: (value) => value,
  fromDriver: (value) => value === true || value === 1,
})
