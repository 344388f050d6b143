// Runs slow SQLite work (VACUUM INTO, PRAGMA optimize) in a Bun Worker with its own connection, so the server's
// one thread keeps answering. The compiled executable carries ./backup-worker.ts as an extra entrypoint
// (scripts/build.ts), so it needs no file on disk.
import type { Db } from '../db/client'
import { sqliteOf } from '../db/sqlite'
import { workerEntry } from '../worker-entry'
import type { DbTask, DbTaskResult } from './backup-worker'

const workerUrl = workerEntry('cron/backup-worker.ts')

function inWorker(task: DbTask): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl)
    const finish = (error: Error | null) => {
      worker.terminate()
      if (error === null) resolve()
      else reject(error)
    }
    worker.onmessage = ({ data }: MessageEvent<DbTaskResult>) =>
      // Rebuilt with its name (e.g. SQLiteError), so the daily job's report says what failed.
      finish(data.ok ? null : Object.assign(new Error(data.message), { name: data.name }))
    worker.onerror = (event) => finish(new Error(event.message || 'the database worker failed'))
    worker.postMessage(task)
  })
}

/** The file behind a connection; a worker opens its own connection to it (an in-memory database has none). */
function fileOf(db: Db): string {
  const file = sqliteOf(db).filename
  if (!file || file === ':memory:') throw new Error('an in-memory database cannot be copied by a worker')
  return file
}

/** Writes a consistent copy of the database to `file` (VACUUM INTO, in a worker); `file` must not exist yet. */
export const backupInWorker = (db: Db, file: string) => inWorker({ task: 'backup', source: fileOf(db), target: file })

/** PRAGMA optimize for every table, bounded, in a worker. */
export const optimizeInWorker = (db: Db) => inWorker({ task: 'optimize', source: fileOf(db) })
