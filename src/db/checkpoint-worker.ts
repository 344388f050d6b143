// Worker entry (a Bun Worker, see ./checkpointer.ts): moves the WAL into the database file on a connection of
// its own, every interval, so that no request's commit runs a checkpoint (and its fsync) on the server's thread.
// Kept free of project imports: it is bundled on its own.
import { Database } from 'bun:sqlite'

export type CheckpointerMessage = { start: { file: string; intervalMs: number; restartFrames: number } } | { stop: true }

declare const self: Worker

type CheckpointResult = { busy: number; log: number; checkpointed: number }

// Catching up is a few short passes (each copies what was committed during the one before); bounded so a write
// stream faster than the copy cannot keep the worker looping.
const MAX_CATCH_UP_PASSES = 16
const MAX_CATCH_UP_MS = 100
/** Frames (4 KB pages) still to copy at which the writer lock is worth taking: ~1 MB, a millisecond or two. */
const FEW_FRAMES_LEFT = 256
/** When the WAL could not be started over (the server's transactions kept the writer lock), the next try comes soon. */
const RETRY_MS = 20

let db: Database | null = null
let timer: ReturnType<typeof setTimeout> | undefined

const checkpoint = (mode: 'PASSIVE' | 'RESTART') => db!.query(`PRAGMA wal_checkpoint(${mode})`).get() as CheckpointResult

/**
 * SQLite starts the WAL over only when a write begins and finds every frame already copied. Under a steady stream
 * of writes that moment never comes: each PASSIVE pass copies what was there when it began, and by its end the
 * server has written more. The WAL then grows without bound (hundreds of MB a minute at a few thousand pushes a
 * second), every read looks through a bigger WAL index, and the server's safety-net checkpoint ends up copying it
 * inside a request. So once the WAL is large: catch up in short passes, then take the writer lock for the last few
 * frames with RESTART, after which the next write starts the WAL from its beginning. busy_timeout is 0, so RESTART
 * never waits for the server's transaction or a reader; what it could not do, the next tick tries again.
 */
function tick(restartFrames: number): 'done' | 'retry' {
  let result = checkpoint('PASSIVE')
  if (result.log < restartFrames) return 'done'
  const started = performance.now()
  for (let pass = 0; pass < MAX_CATCH_UP_PASSES && performance.now() - started < MAX_CATCH_UP_MS; pass++) {
    const before = result.log
    result = checkpoint('PASSIVE')
    if (result.log - before > FEW_FRAMES_LEFT) continue
    if (checkpoint('RESTART').busy === 0) return 'done'
  }
  return 'retry'
}

self.onmessage = ({ data }: MessageEvent<CheckpointerMessage>) => {
  if ('start' in data) {
    db = new Database(data.start.file, { readwrite: true, create: false })
    db.exec('PRAGMA busy_timeout = 0')
    const { intervalMs, restartFrames } = data.start
    const loop = () => {
      let next: ReturnType<typeof tick> = 'done'
      try {
        next = tick(restartFrames)
      } catch {
        // Busy (another checkpointer, e.g. a backup's connection closing) or the file going away at shutdown:
        // the next tick tries again; the server's own connection still checkpoints past its safety limit.
      }
      if (db) timer = setTimeout(loop, next === 'retry' ? RETRY_MS : intervalMs)
    }
    timer = setTimeout(loop, intervalMs)
    return
  }
  clearTimeout(timer)
  db?.close()
  db = null
  postMessage('stopped')
}
