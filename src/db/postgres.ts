// PostgreSQL (≥ 15) for more than one node: Drizzle's postgres-js driver over a connection pool. The service code
// queries the same table objects as on SQLite (src/db/schema); src/db/pg-schema only generates the DDL.
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { sql } from 'drizzle-orm'
import { PgDeleteBase, PgInsertBase, PgSelectBase, PgUpdateBase } from 'drizzle-orm/pg-core'
import { PostgresJsSession } from 'drizzle-orm/postgres-js'
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

// Drizzle asks postgres.js for a named (server-side prepared) statement only when a query is given a name; every
// other query went out unnamed, so PostgreSQL parsed and planned it again each time (about half of its CPU on the
// hot routes). Preparing every query is bounded: the SQL texts are the code's queries (list lengths capped by page
// and batch sizes), cached per connection and dropped with it.
const session = PostgresJsSession.prototype as unknown as { prepareQuery: (...args: unknown[]) => unknown }
const prepareQuery = session.prepareQuery
session.prepareQuery = function (query, fields, name, ...rest) {
  return prepareQuery.call(this, query, fields, name ?? '', ...rest)
}

type PgClient = postgres.Sql
const clients = new WeakMap<object, PgClient>()
const urls = new WeakMap<object, string>()
const listeners = new WeakMap<object, Set<{ stop(): Promise<void> }>>()

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
  urls.set(db, url)
  return db
}

/** The postgres.js pool behind a PostgreSQL Db. */
export function pgClientOf(db: Db): PgClient {
  const client = clients.get(db)
  if (!client) throw new Error('not a PostgreSQL database')
  return client
}

const roots = new WeakMap<object, Db>()

/**
 * A statement prepared on the pool (src/db/prepared.ts), run inside the transaction `tx` instead: Drizzle's
 * postgres.js query sends through its `client`, and a transaction's client is its own reserved connection.
 * Undefined when `tx` is not a transaction.
 */
export function inTransaction<T>(tx: Db, statement: (root: Db) => T): T | undefined {
  const root = roots.get(tx)
  if (!root) return undefined
  const client = (tx as unknown as { session: { client: unknown } }).session.client
  return Object.assign(Object.create(statement(root) as object), { client }) as T
}

const commitWrites = new WeakMap<object, Promise<unknown>[]>()

/**
 * Sends `writes` (already started on the transaction `tx`) with its COMMIT instead of before it; pgTransaction
 * checks them once COMMIT has answered. False when `tx` is not a transaction.
 */
export function writeWithCommit(tx: Db, writes: Promise<unknown>[]): boolean {
  const list = commitWrites.get(tx)
  if (!list) return false
  for (const write of writes) {
    write.catch(() => {}) // checked after COMMIT
    list.push(write)
  }
  return true
}

/** Runs `body` in one transaction; `lock` (a 63-bit key) serialises it with every other holder of that key, across nodes. */
export async function pgTransaction<T>(db: Db, body: (tx: Db) => Promise<T>, lock?: bigint): Promise<T> {
  const pg = db as unknown as { transaction: (fn: (tx: object) => Promise<T>) => Promise<T> }
  const withCommit: Promise<unknown>[] = []
  const result = await pg.transaction(async (tx) => {
    Object.defineProperty(tx, 'engine', { value: 'postgres' })
    roots.set(tx, roots.get(db) ?? db)
    commitWrites.set(tx, withCommit)
    if (lock === undefined) return body(tx as Db)
    // Sent now, not awaited: the body's first query goes out right behind it on the same connection, and
    // PostgreSQL runs that query only once the lock is held (one round trip fewer while others wait for it).
    // Should the lock fail, so does every query after it in this transaction.
    const locked = Promise.resolve(
      (tx as { execute: (q: unknown) => PromiseLike<unknown> }).execute(sql`select pg_advisory_xact_lock(${lock})`).then(() => {}),
    )
    locked.catch(() => {}) // awaited below; the body's own error, if any, is the one to report
    try {
      const result = await body(tx as Db)
      await locked
      return result
    } catch (error) {
      await locked.catch(() => {})
      throw error
    }
  })
  // A write that failed aborted the transaction, and PostgreSQL answered its COMMIT with a rollback: fail too.
  await Promise.all(withCommit)
  return result
}

export async function closePostgres(db: Db): Promise<void> {
  await Promise.all([...(listeners.get(db) ?? [])].map((l) => l.stop()))
  await clients.get(db)!.end({ timeout: 5 })
}

/** Seconds between attempts to listen again after the listening connection closed or could not open. */
const RELISTEN_SECONDS = 0.5
/**
 * A connection that only listens sends nothing, so one cut without a word (a NAT or firewall forgetting it), or a
 * LISTEN that a pooler in transaction mode accepted and forgot, would look fine while hearing nothing. So this often
 * the node sends itself a notification through its pool, and gives the connection up when it does not arrive in time.
 */
const HEARTBEAT_SECONDS = 5
const HEARTBEAT_TIMEOUT_SECONDS = 3

export type PgListener = {
  /** True while LISTEN is in effect: every notification sent since then reaches `onNotify`. */
  readonly listening: boolean
  stop(): Promise<void>
}

/**
 * LISTEN on `channel` over a connection of its own (the pool's connections come and go). `onNotify` runs for each
 * notification, and also whenever notifications may have been missed: when the connection closes or stops
 * answering, and again once LISTEN is back in effect, so whoever keeps a copy of something drops it. Retries while
 * PostgreSQL is away.
 */
export function listenPg(db: Db, channel: string, onNotify: () => void): PgListener {
  const root = roots.get(db) ?? db
  const url = urls.get(root)!
  const pool = clients.get(root)!
  // Heartbeats carry this prefix (every node hears every node's); they are signs of life, not news for onNotify.
  const ALIVE = 'alive:'
  const ownAlive = `${ALIVE}${crypto.randomUUID()}:`
  let beats = 0
  const awaited = new Map<string, () => void>()
  let listening = false
  let stopped = false
  let connection: PgClient | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined

  const lost = (from: PgClient) => {
    if (from !== connection) return // an earlier connection, already given up
    listening = false
    clearInterval(heartbeat)
    connection = undefined
    onNotify()
    void from.end({ timeout: 0 }).catch(() => {})
    if (!stopped) {
      retry = setTimeout(open, RELISTEN_SECONDS * 1000)
      retry.unref?.()
    }
  }
  const open = async () => {
    const own: PgClient = postgres(url, {
      max: 1,
      idle_timeout: 0, // never: it waits for notifications
      max_lifetime: 0,
      connect_timeout: 10,
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      onnotice: () => {},
      // `onnotify` is supported by postgres.js but missing from its types.
      ...({
        onnotify: (_channel: string, payload: string) => {
          if (!payload.startsWith(ALIVE)) onNotify()
          else awaited.get(payload)?.()
        },
      } as object),
      onclose: () => lost(own),
    })
    connection = own
    try {
      await own.unsafe(`LISTEN "${channel.replace(/"/g, '""')}"`)
      if (own !== connection) return
      listening = true
      onNotify() // what changed while not listening was not heard
      heartbeat = setInterval(() => {
        const payload = `${ownAlive}${++beats}`
        let timer: ReturnType<typeof setTimeout> | undefined
        const heard = new Promise<void>((resolve, reject) => {
          awaited.set(payload, resolve)
          timer = setTimeout(reject, HEARTBEAT_TIMEOUT_SECONDS * 1000)
        })
        Promise.all([heard, pool`select pg_notify(${channel}, ${payload})`])
          .catch(() => lost(own))
          .finally(() => {
            clearTimeout(timer)
            awaited.delete(payload)
          })
      }, HEARTBEAT_SECONDS * 1000)
      heartbeat.unref?.()
    } catch {
      lost(own)
    }
  }
  void open()

  const listener: PgListener = {
    get listening() {
      return listening && !stopped
    },
    async stop() {
      stopped = true
      listening = false
      clearTimeout(retry)
      clearInterval(heartbeat)
      registered.delete(listener)
      const last = connection
      connection = undefined
      await last?.end({ timeout: 1 })
    },
  }
  const registered = listeners.get(db) ?? new Set()
  listeners.set(db, registered)
  registered.add(listener)
  return listener
}
