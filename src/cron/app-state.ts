// Server-wide facts in app_state (install time, last daily run) and the lock that keeps the daily job single,
// across processes too: `igny8 cron run-now` beside a running server shares the database, not memory.
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { appState } from '../db/schema'

export const STATE = { installedAt: 'installed_at', lastRunAt: 'cron.last_run_at', lock: 'cron.lock' } as const

export const readState = (db: Pick<Db, 'select'>, key: string): string | null =>
  db.select({ value: appState.value }).from(appState).where(eq(appState.key, key)).get()?.value ?? null

export function writeState(db: Pick<Db, 'insert'>, key: string, value: string): void {
  db.insert(appState).values({ key, value }).onConflictDoUpdate({ target: appState.key, set: { value } }).run()
}

export type LockHolder = { owner: string; pid: number; acquired_at: string }

// A job that crashed cannot release its lock; after this long the lock is taken over.
export const LOCK_STALE_MS = 6 * 3600_000

/** Takes the job lock, or answers who holds it. Uses the wall clock, whatever `now` a job is told. */
export function acquireLock(db: Db): { acquired: true; token: string } | { acquired: false; holder: LockHolder } {
  const token = randomUUID()
  return db.transaction(
    (tx) => {
      const raw = readState(tx, STATE.lock)
      const holder = raw ? parseHolder(raw) : null
      if (holder && Date.now() - Date.parse(holder.acquired_at) < LOCK_STALE_MS) return { acquired: false as const, holder }
      writeState(
        tx,
        STATE.lock,
        JSON.stringify({ owner: token, pid: process.pid, acquired_at: new Date().toISOString() } satisfies LockHolder),
      )
      return { acquired: true as const, token }
    },
    { behavior: 'immediate' },
  )
}

/** Releases the lock if this token still holds it (a taken-over lock belongs to someone else now). */
export function releaseLock(db: Db, token: string): void {
  db.transaction(
    (tx) => {
      const raw = readState(tx, STATE.lock)
      if (raw && parseHolder(raw)?.owner === token) tx.delete(appState).where(eq(appState.key, STATE.lock)).run()
    },
    { behavior: 'immediate' },
  )
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const v = JSON.parse(raw)
    return typeof v?.owner === 'string' && typeof v?.acquired_at === 'string' ? v : null
  } catch {
    return null
  }
}
