// Credentials resolved once and kept in memory until something that could revoke them is written. Every plugin
// request carries its site's API key, and looking it up again each time cost a statement per request (on
// PostgreSQL a round trip, ~30 % of content-types' throughput). A cache that merely expired would let a revoked key
// or a deactivated user through until then, so entries are dropped by the revoking write itself:
// - in this process, right after its transaction commits (`credentialsChanged`);
// - in another process on SQLite, on its next lookup: `PRAGMA data_version` changes when another connection commits
//   (e.g. `igny8 user set-password` beside the server). Every lookup checks it, unless no connection has committed
//   at all since the last check (changeToken: the WAL-index header, read from the -shm file without a statement);
// - on the other PostgreSQL nodes within milliseconds: a NOTIFY sent inside the revoking transaction (so it goes out
//   exactly when that commits) reaches every node's LISTEN (src/db/postgres.ts, with a heartbeat). A node that is not
//   listening (its connection dropped, PostgreSQL restarting) caches nothing.
// Only positive answers are kept: an unknown or revoked credential is looked up every time.
import { sql } from 'drizzle-orm'
import { runSql, type Db } from '../db/client'
import { listenPg, type PgListener } from '../db/postgres'
import { changeToken, sqliteOf } from '../db/sqlite'

const CHANNEL = 'igny8_credentials'
/** A bound on memory (a fleet's keys and its admins); when full, the cache starts afresh. */
const MAX_ENTRIES = 10_000
/** A backstop only, for the unforeseen: revocation drops entries at once, this is not how they are meant to go. */
const MAX_AGE_MS = 60_000

type Entry = { value: unknown; at: number }
type Cache = {
  entries: Map<string, Entry>
  /** Bumped at every drop: a lookup that began before one must not store what it read. */
  generation: number
  /** SQLite: the data_version last seen, and the change token taken just before it was read. */
  dataVersion?: number
  changeToken?: string
  /** PostgreSQL: the node's LISTEN. */
  listener?: PgListener
}

const caches = new WeakMap<Db, Cache>()

function drop(cache: Cache) {
  cache.generation++
  cache.entries.clear()
}

function cacheOf(db: Db): Cache {
  let cache = caches.get(db)
  if (!cache) {
    const created: Cache = { entries: new Map(), generation: 0 }
    if (db.engine === 'postgres') created.listener = listenPg(db, CHANNEL, () => drop(created))
    caches.set(db, (cache = created))
  }
  return cache
}

/** False when entries cannot be trusted to hear of a revocation; on SQLite, first drops them if another process wrote. */
function usable(db: Db, cache: Cache): boolean {
  if (cache.listener) return cache.listener.listening
  // Taken before data_version: a commit between the two changes the next token, so it is looked for again then.
  const token = changeToken(db)
  if (token !== undefined && token === cache.changeToken) return true
  cache.changeToken = token
  const version = (sqliteOf(db).query('PRAGMA data_version').get() as { data_version: number }).data_version
  if (version !== cache.dataVersion) {
    drop(cache)
    cache.dataVersion = version
  }
  return true
}

/** The credential's resolved value from memory, else from `load` (kept when found and nothing was revoked meanwhile). */
export async function cachedCredential<T extends object>(db: Db, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
  const cache = cacheOf(db)
  if (usable(db, cache)) {
    const hit = cache.entries.get(key)
    if (hit && Date.now() - hit.at < MAX_AGE_MS) return hit.value as T
  }
  const generation = cache.generation
  const value = await load()
  if (value !== undefined && usable(db, cache) && generation === cache.generation) {
    if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear()
    cache.entries.set(key, { value, at: Date.now() })
  }
  return value
}

/** Whether credentials resolved now are kept: on SQLite always, on PostgreSQL while the node listens (it starts to). */
export function credentialsKept(db: Db): boolean {
  const cache = cacheOf(db)
  return cache.listener?.listening ?? true
}

/** Inside a transaction that can revoke credentials: on PostgreSQL, every node hears of it when (and only if) it commits. */
export async function announceCredentialChange(tx: Db): Promise<void> {
  if (tx.engine === 'postgres') await runSql(tx, sql`select pg_notify(${CHANNEL}, '')`)
}

/** Drops this process's entries (after a revoking write committed). */
export function credentialsChanged(db: Db): void {
  const cache = caches.get(db)
  if (cache) drop(cache)
}
