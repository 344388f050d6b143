// The daily job's lock on PostgreSQL: a session advisory lock held on a connection of its own for the whole run.
// Every node takes the same key, so one runs and the others are told so at once; a node that dies mid-run loses
// its session and with it the lock, so nothing waits out a heartbeat (SQLite uses the app_state lock instead).
import postgres from 'postgres'
import type { Db } from '../db/client'
import { pgClientOf } from '../db/postgres'

/** The fixed key (negative, like the migration lock's, so it never meets withTx's positive hashed keys). */
export const DAILY_JOB_LOCK = -0x1938_0002

export type PgJobLock = { release(): Promise<void> }

/**
 * Takes the lock without waiting; answers null when another session (node, or `cron run-now`) holds it.
 *
 * Not on a `reserve()`d connection of the pool: in postgres.js 3.4.9 a reserved connection whose socket closed
 * (PostgreSQL restarted mid-run) throws an uncaught TypeError on its next query, and release() hands the dead
 * connection back to the pool. A one-connection client of its own is simply ended: closing the session releases
 * the lock, and ending an already closed client sends nothing.
 */
export async function tryPgJobLock(db: Db): Promise<PgJobLock | null> {
  const o = pgClientOf(db).options
  const session = postgres({
    // The pool's parsed lists (several hosts are allowed); parseOptions takes them as they are.
    host: o.host as unknown as string,
    port: o.port as unknown as number,
    path: o.path || undefined,
    database: o.database,
    user: o.user,
    pass: (o as unknown as { pass: string }).pass, // typed as hidden, present at run time
    ssl: o.ssl,
    connection: o.connection,
    max: 1,
    connect_timeout: 10,
    // The lock lives as long as this connection: never closed for being idle or old while the job runs.
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => {},
  })
  const end = () => session.end({ timeout: 5 }).catch(() => {})
  try {
    const [row] = await session<{ ok: boolean }[]>`select pg_try_advisory_lock(${DAILY_JOB_LOCK}) as ok`
    if (row?.ok) return { release: end }
  } catch (e) {
    await end()
    throw e
  }
  await end()
  return null
}
