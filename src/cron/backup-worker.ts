// Worker entry (a Bun Worker, see ./db-worker.ts): runs one slow SQLite task on its own connection, off the
// server's thread, so requests are answered meanwhile. Kept free of project imports: it is bundled on its own.
import { Database } from 'bun:sqlite'
import { closeSync, openSync, rmSync } from 'node:fs'

export type DbTask = { task: 'backup'; source: string; target: string } | { task: 'optimize'; source: string }
export type DbTaskResult = { ok: true } | { ok: false; name: string; message: string }

declare const self: Worker

self.onmessage = (event: MessageEvent<DbTask>) => {
  const request = event.data
  let db: Database | null = null
  let created = false
  try {
    db = new Database(request.source, { readwrite: true, create: false, strict: true })
    db.exec('PRAGMA busy_timeout = 5000')
    if (request.task === 'backup') {
      // Created empty and owner-only first (VACUUM INTO accepts an empty file): the copy holds password hashes
      // and encrypted credentials, and 'wx' refuses to overwrite an existing file.
      closeSync(openSync(request.target, 'wx', 0o600))
      created = true
      db.run('VACUUM INTO ?', [request.target])
    } else {
      // Bounded ANALYZE of every table that needs it, not only those this fresh connection has used.
      db.exec('PRAGMA analysis_limit = 1000')
      db.exec('PRAGMA optimize = 0x10002')
    }
    postMessage({ ok: true } satisfies DbTaskResult)
  } catch (e) {
    if (created && request.task === 'backup') rmSync(request.target, { force: true })
    const error = e instanceof Error ? e : new Error(String(e))
    postMessage({ ok: false, name: error.name, message: error.message } satisfies DbTaskResult)
  } finally {
    db?.close()
  }
}
