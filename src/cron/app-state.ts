// Server-wide facts in app_state (install time, last daily run) and the lock that keeps the daily job single,
// across processes too: `igny8 cron run-now` beside a running server shares the database, not memory. The lock
// has a heartbeat, so a long job keeps it and a crashed holder's lock is taken over at once.
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { eq } from 'drizzle-orm'
import { type Db, withTx } from '../db/client'
import { appState } from '../db/schema'

export const STATE = { installedAt: 'installed_at', lastRunAt: 'cron.last_run_at', lock: 'cron.lock' } as const

export const readState = async (db: Pick<Db, 'select'>, key: string): Promise<string | null> =>
  (await db.select({ value: appState.value }).from(appState).where(eq(appState.key, key)).get())?.value ?? null

export async function writeState(db: Pick<Db, 'insert'>, key: string, value: string): Promise<void> {
  await db.insert(appState).values({ key, value }).onConflictDoUpdate({ target: appState.key, set: { value } }).run()
}

export type LockHolder = {
  /** This acquisition's token: only it may refresh or release the lock. */
  owner: string
  pid: number
  /** A random id of the holding process, told apart from a later process that reuses its pid. */
  process_id?: string
  host?: string
  acquired_at: string
  /** Refreshed every HEARTBEAT_MS while the job runs; absent in locks written before heartbeats. */
  heartbeat_at?: string
}

/** How often a running job refreshes its lock. */
export const HEARTBEAT_MS = 30_000
// A lock not refreshed for this long is taken over: its holder hangs or died on another machine. A few
// missed heartbeats of slack, so a busy event loop does not lose its lock.
export const LOCK_STALE_MS = 2 * 60_000

const PROCESS_ID = randomUUID()
const HOST = hostname()

/** Whether the holder can still be running: its heartbeat is recent and, on this machine, its pid exists. */
function holderAlive(holder: LockHolder, now: number): boolean {
  const beat = Date.parse(holder.heartbeat_at ?? holder.acquired_at)
  if (!(now - beat < LOCK_STALE_MS)) return false
  if (holder.host !== undefined && holder.host !== HOST) return true // not ours to probe; the heartbeat decides
  if (holder.pid === process.pid) return holder.process_id === undefined || holder.process_id === PROCESS_ID
  try {
    process.kill(holder.pid, 0) // signal 0: only asks whether the process exists
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH' // EPERM: it exists, run by another user
  }
}

/** Takes the job lock, or answers who holds it. Uses the wall clock, whatever `now` a job is told. */
export async function acquireLock(db: Db): Promise<{ acquired: true; token: string } | { acquired: false; holder: LockHolder }> {
  const token = randomUUID()
  return await withTx(
    db,
    async (tx) => {
      const raw = await readState(tx, STATE.lock)
      const holder = raw ? parseHolder(raw) : null
      if (holder && holderAlive(holder, Date.now())) return { acquired: false as const, holder }
      const at = new Date().toISOString()
      const mine: LockHolder = { owner: token, pid: process.pid, process_id: PROCESS_ID, host: HOST, acquired_at: at, heartbeat_at: at }
      await writeState(tx, STATE.lock, JSON.stringify(mine))
      return { acquired: true as const, token }
    },
    { lock: 'daily-job-lock' },
  )
}

/** Refreshes the lock's heartbeat every `everyMs` while `token` holds it; answers a function that stops it. */
export function keepLockAlive(db: Db, token: string, everyMs = HEARTBEAT_MS): () => void {
  const beat = async () => {
    try {
      await withTx(
        db,
        async (tx) => {
          const raw = await readState(tx, STATE.lock)
          const holder = raw ? parseHolder(raw) : null
          if (holder?.owner !== token) return clearInterval(timer) // taken over: it is someone else's now
          await writeState(tx, STATE.lock, JSON.stringify({ ...holder, heartbeat_at: new Date().toISOString() }))
        },
        { lock: 'daily-job-lock' },
      )
    } catch {
      // A busy database this once; the next beat tries again, and LOCK_STALE_MS allows for a few misses.
    }
  }
  const timer = setInterval(beat, everyMs)
  timer.unref() // never keeps a finished `igny8 cron run-now` alive
  return () => clearInterval(timer)
}

/** Releases the lock if this token still holds it (a taken-over lock belongs to someone else now). */
export async function releaseLock(db: Db, token: string): Promise<void> {
  await withTx(
    db,
    async (tx) => {
      const raw = await readState(tx, STATE.lock)
      if (raw && parseHolder(raw)?.owner === token) await tx.delete(appState).where(eq(appState.key, STATE.lock)).run()
    },
    { lock: 'daily-job-lock' },
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
