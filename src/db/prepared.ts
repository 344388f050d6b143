// Prepared-statement cache for hot paths. Drizzle builds and SQLite compiles a query on every call
// (~115 µs here); a prepared statement runs in ~14 µs. Keyed per database handle.
import type { Db } from './client'
import { directPrepared } from './sqlite'
import { inTransaction } from './postgres'

const caches = new WeakMap<Db, Map<string, unknown>>()

/**
 * The statement `build` makes, built once per database and name. In a transaction it runs in that transaction:
 * on SQLite the transaction holds the one connection; on PostgreSQL it is sent on the transaction's connection.
 */
export function prepared<T>(db: Db, name: string, build: (db: Db) => T): T {
  if (db.engine === 'postgres') {
    const inTx = inTransaction(db, (root) => prepared(root, name, build))
    if (inTx) return inTx
  }
  let cache = caches.get(db)
  if (!cache) caches.set(db, (cache = new Map()))
  let stmt = cache.get(name) as T | undefined
  // On SQLite, run it on the connection directly (see directPrepared); PostgreSQL keeps Drizzle's.
  if (stmt === undefined) cache.set(name, (stmt = directPrepared(db, build(db))))
  return stmt
}
