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
export type PullLock = { release(): void }

const keyOf = (integrationId: number) => `pull_lock:${integrationId}`

/** Takes the lock of one integration's pulls, or answers null while someone alive holds it. */
export async function takePullLock(db: Db, integrationId: number): Promise<PullLock | null> {
  const key = keyOf(integrationId)
  const mine: Holder = {
    owner: randomUUID(),
    pid: process.pid,
    host: hostname(),
    heartbeat: Date.now(),
    started_at: new Date().toISOString(),
  }
  const value = JSON.stringify(mine)
  // One statement: insert, or replace a row whose heartbeat has expired (or that is unreadable).
  const [taken] = await allRows<{ key: string }>(
    db,
    sql`
    insert into app_state (key, value) values (${key}, ${value})
    on conflict (key) do update set value = excluded.value
      where case when json_valid(app_state.value) then coalesce(json_extract(app_state.value, '$.heartbeat'), 0) else 0 end
        < ${Date.now() - LOCK_EXPIRES_MS}
    returning key`,
  )
  if (!taken && !(await takeOverDead(db, key, value))) return null
  const beat = setInterval(async () => await heartbeat(db, key, mine.owner), HEARTBEAT_MS)
  beat.unref()
  return {
    async release() {
      clearInterval(beat)
      await runSql(db, sql`delete from app_state where key = ${key} and value ->> '$.owner' = ${mine.owner}`)
    },
  }
}

/** Whether an alive holder has the lock of this integration's pulls (for the admin pages). */
export async function isPullLocked(db: Db, integrationId: number): Promise<boolean> {
  const holder = await readHolder(db, keyOf(integrationId))
  return !!holder && alive(holder.holder)
}

/** Replaces the row (compare-and-swap on its exact value) when its holder's process on this machine has exited. */
async function takeOverDead(db: Db, key: string, value: string): Promise<boolean> {
  const current = await readHolder(db, key)
  if (!current || alive(current.holder)) return false
  return (
    (await allRows(db, sql`update app_state set value = ${value} where key = ${key} and value = ${current.raw} returning key`)).length > 0
  )
}

async function heartbeat(db: Db, key: string, owner: string) {
  try {
    await runSql(
      db,
      sql`update app_state set value = json_set(value, '$.heartbeat', ${Date.now()})
      where key = ${key} and value ->> '$.owner' = ${owner}`,
    )
  } catch {
    // The database is closing (shutdown); the pull is being stopped with it.
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
