// "A pull of this integration is running": a row in app_state (`pull_lock:<integrationId>`), because a second
// process on the same data dir (`igny8 cron run-now` beside the server) shares the database, not memory. The
// holder beats a heartbeat into the row; a row whose heartbeat stopped, or whose process on this machine is gone,
// is taken over.
import { randomUUID } from 'node:crypto'
import { allRows, runSql } from '../db/client'
import { hostname } from 'node:os'
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'

/** A holder that has not beaten its heartbeat for this long is gone (hung, killed, or its machine is). */
export const LOCK_EXPIRES_MS = 2 * 60_000
const HEARTBEAT_MS = 20_000

type Holder = { owner: string; pid: number; host: string; heartbeat: number; started_at: string }
export type PullLock = { release(): Promise<void> }

const keyOf = (integrationId: number) => `pull_lock:${integrationId}`

/**
 * Takes the lock of one integration's pulls, or answers null while someone alive holds it. Only whole values are
 * compared in SQL (no JSON functions), so the same statements run on SQLite and PostgreSQL, and an unreadable row
 * is simply a dead holder's.
 */
export async function takePullLock(db: Db, integrationId: number, heartbeatMs = HEARTBEAT_MS): Promise<PullLock | null> {
  const key = keyOf(integrationId)
  const mine: Holder = {
    owner: randomUUID(),
    pid: process.pid,
    host: hostname(),
    heartbeat: Date.now(),
    started_at: new Date().toISOString(),
  }
  let current = JSON.stringify(mine)
  const [taken] = await allRows<{ key: string }>(
    db,
    sql`insert into app_state (key, value) values (${key}, ${current}) on conflict (key) do nothing returning key`,
  )
  if (!taken && !(await takeOver(db, key, current))) return null
  // The value this holder wrote last, and the one a heartbeat in flight is writing: the row is ours while it holds
  // either (a holder that took over replaced it with its own).
  let next = current
  const beat = setInterval(async () => {
    next = JSON.stringify({ ...mine, heartbeat: Date.now() })
    if (await compareAndSet(db, key, current, next)) current = next
  }, heartbeatMs)
  beat.unref()
  return {
    async release() {
      clearInterval(beat)
      try {
        await runSql(db, sql`delete from app_state where key = ${key} and value in (${current}, ${next})`)
      } catch {
        // The database is closing (shutdown); the lock's heartbeat stops with this process, so it expires.
      }
    },
  }
}

/** Whether an alive holder has the lock of this integration's pulls (for the admin pages). */
export async function isPullLocked(db: Db, integrationId: number): Promise<boolean> {
  const holder = await readHolder(db, keyOf(integrationId))
  return !!holder && alive(holder.holder)
}

/** Replaces the row when its holder is not alive: expired heartbeat, exited process on this machine, or unreadable. */
async function takeOver(db: Db, key: string, value: string): Promise<boolean> {
  const current = await readHolder(db, key)
  if (!current || alive(current.holder)) return false
  return await compareAndSet(db, key, current.raw, value)
}

/** Writes `value` if the row still holds exactly `expected` (no one took it over or beat its heart meanwhile). */
async function compareAndSet(db: Db, key: string, expected: string, value: string): Promise<boolean> {
  try {
    return (await runSql(db, sql`update app_state set value = ${value} where key = ${key} and value = ${expected}`)) > 0
  } catch {
    return false // the database is closing (shutdown); the pull is being stopped with it
  }
}

async function readHolder(db: Db, key: string): Promise<{ raw: string; holder: Holder | null } | null> {
  const [row] = await allRows<{ value: string }>(db, sql`select value from app_state where key = ${key}`)
  if (!row) return null
  try {
    const v = JSON.parse(row.value)
    const ok = typeof v?.owner === 'string' && Number.isSafeInteger(v?.pid) && typeof v?.heartbeat === 'number'
    return { raw: row.value, holder: ok ? v : null }
  } catch {
    return { raw: row.value, holder: null }
  }
}

function alive(h: Holder | null): boolean {
  if (!h || Date.now() - h.heartbeat >= LOCK_EXPIRES_MS) return false
  if (h.host !== hostname()) return true // another machine's process cannot be looked at; its heartbeat decides
  try {
    process.kill(h.pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' // exists, but belongs to another user
  }
}
