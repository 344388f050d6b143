// PostgreSQL (≥ 15) for more than one node: Drizzle's postgres-js driver over a connection pool. The service code
// queries the same table objects as on SQLite (src/db/schema); src/db/pg-schema only generates the DDL.
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { sql } from 'drizzle-orm'
import { PgDeleteBase, PgInsertBase, PgSelectBase, PgUpdateBase } from 'drizzle-orm/pg-core'
import * as schema from './schema'
import type { Db } from './client'

// The service code is written against the SQLite builder, whose queries end in .all() (rows), .get() (the first
// row) or .run() (no rows); PostgreSQL's builders are awaited instead. These three make the same code run there.
for (const builder of [PgSelectBase, PgInsertBase, PgUpdateBase, PgDeleteBase]) {
  Object.assign(builder.prototype, {
    all(this: PromiseLike<unknown[]>) {
      return Promise.resolve(this)
    },
    async get(this: PromiseLike<unknown[]>) {
      return (await this)[0]
    },
    run(this: PromiseLike<unknown>) {
      return Promise.resolve(this)
    },
  })
}

type PgClient = postgres.Sql
const clients = new WeakMap<object, PgClient>()

/** Pool size per node: enough for a burst of requests without exhausting a small server's max_connections. */
const POOL_SIZE = 20

/** Connects to `url` (nothing is sent until the first query). int8 arrives as a number: every id and ms timestamp fits. */
export function openPostgres(url: string): Db {
  const client = postgres(url, {
    max: POOL_SIZE,
    // Ids and millisecond timestamps are bigint columns; JavaScript numbers hold them exactly (< 2^53).
    types: { bigint: { to: 20, from: [20], parse: (x: string) => Number(x), serialize: (x: number) => String(x) } } as never,
    onnotice: () => {}, // "relation already exists, skipping" and the like are not for the log
    connect_timeout: 10,
    idle_timeout: 60,
    // Seconds before a connection retries after a failed connect. postgres.js's default grows to 10–20 s, and a
    // request waits that long for its connection: while PostgreSQL is down or restarting, answer 503 promptly.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
  })
  const db = drizzle({ client, schema: schema as never }) as unknown as Db
  Object.defineProperty(db, 'engine', { value: 'postgres' })
  clients.set(db, client)
  return db
}

/** The postgres.js pool behind a PostgreSQL Db. */
export function pgClientOf(db: Db): PgClient {
  const client = clients.get(db)
  if (!client) throw new Error('not a PostgreSQL database')
  return client
}

/** Runs `body` in one transaction; `lock` (a 63-bit key) serialises it with every other holder of that key, across nodes. */
export async function pgTransaction<T>(db: Db, body: (tx: Db) => Promise<T>, lock?: bigint): Promise<T> {
  const pg = db as unknown as { transaction: (fn: (tx: object) => Promise<T>) => Promise<T> }
  return pg.transaction(async (tx) => {
    Object.defineProperty(tx, 'engine', { value: 'postgres' })
    if (lock !== undefined) await (tx as { execute: (q: unknown) => Promise<unknown> }).execute(sql`select pg_advisory_xact_lock(${lock})`)
    return body(tx as Db)
  })
}

export async function closePostgres(db: Db): Promise<void> {
  await clients.get(db)!.end({ timeout: 5 })
}
