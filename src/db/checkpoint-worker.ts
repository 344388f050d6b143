// Worker entry (a Bun Worker, see ./checkpointer.ts): moves the WAL into the database file on a connection of
// its own, every interval, so that no request's commit runs a checkpoint (and its fsync) on the server's thread.
// Kept free of project imports: it is bundled on its own.
import { Database } from 'bun:sqlite'

export type CheckpointerMessage = { start: { file: string; intervalMs: number } } | { stop: true }

declare const self: Worker

let db: Database | null = null
let timer: ReturnType<typeof setInterval> | undefined

self.onmessage = ({ data }: MessageEvent<CheckpointerMessage>) => {
  if ('start' in data) {
    db = new Database(data.start.file, { readwrite: true, create: false })
    // PASSIVE never waits for readers or writers: it copies what it can now and leaves the rest for the next tick.
    timer = setInterval(() => {
      try {
        db!.query('PRAGMA wal_checkpoint(PASSIVE)').get()
      } catch {
        // Busy (another checkpointer, e.g. a backup's connection closing) or the file going away at shutdown:
        // the next tick tries again; the server's own connection still checkpoints past its safety limit.
      }
    }, data.start.intervalMs)
    return
  }
  clearInterval(timer)
  db?.close()
  db = null
  postMessage('stopped')
}
