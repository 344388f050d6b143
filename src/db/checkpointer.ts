// WAL checkpoints off the request path (SQLite only). SQLite's automatic checkpoint runs inside the commit that
// crosses the WAL's size limit, so one request in many paid for copying tens of MB and an fsync (a p99 stall).
// While the server runs, a worker checkpoints every CHECKPOINT_INTERVAL_MS on its own connection instead, and the
// server's connection keeps an automatic checkpoint only as a safety net far above what the worker lets build up.
// The worker also starts a long WAL over while writes never pause (see checkpoint-worker.ts).
import type { Db } from './client'
import { sqliteOf, WAL_AUTOCHECKPOINT_PAGES } from './sqlite'
import type { CheckpointerMessage } from './checkpoint-worker'
import { workerEntry } from '../worker-entry'

const CHECKPOINT_INTERVAL_MS = 500
/** Pages (4 KB): ~400 MB of WAL, reached only if the worker stalls; then requests checkpoint as before. */
const SAFETY_NET_PAGES = 100_000
/** Pages (4 KB): a WAL this long is started over by the worker even while writes never pause (see the worker). */
const RESTART_PAGES = 4096

const workerUrl = workerEntry('db/checkpoint-worker.ts')

export type Checkpointer = { stop(): Promise<void> }

/** Starts the checkpoint worker for a file-backed SQLite database; a no-op for PostgreSQL or an in-memory one. */
export function startCheckpointer(db: Db): Checkpointer {
  if (db.engine !== 'sqlite') return { stop: async () => {} }
  const sqlite = sqliteOf(db)
  if (!sqlite.filename || sqlite.filename === ':memory:') return { stop: async () => {} }
  const worker = new Worker(workerUrl)
  ;(worker as Worker & { unref(): void }).unref() // never what keeps the process alive at exit
  worker.postMessage({
    start: { file: sqlite.filename, intervalMs: CHECKPOINT_INTERVAL_MS, restartFrames: RESTART_PAGES },
  } satisfies CheckpointerMessage)
  sqlite.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_PAGES}`)
  return {
    async stop() {
      sqlite.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`) // the usual limit again, for what runs after
      // Its connection closes before the server's, so the server's close (the last one) checkpoints what is left.
      const stopped = new Promise<void>((resolve) => (worker.onmessage = () => resolve()))
      worker.postMessage({ stop: true } satisfies CheckpointerMessage)
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))])
      clearTimeout(timer) // a pending timer would hold the process open after the server has stopped
      worker.terminate()
    },
  }
}
