// Worker entry (a Bun Worker, see ./reader.ts): runs long reads (a search over every row of a big site) on a
// connection of its own, so the server's thread keeps answering meanwhile. Kept free of project imports: it is
// bundled on its own.
import { Database, type Statement } from 'bun:sqlite'

export type ReadRequest = { id: number; file: string; sql: string; params: unknown[] }
export type ReadAnswer = { id: number; ok: true; rows: unknown[][] } | { id: number; ok: false; name: string; message: string }

declare const self: Worker

let db: Database | null = null
const statements = new Map<string, Statement>()

self.onmessage = ({ data }: MessageEvent<ReadRequest>) => {
  try {
    if (!db) {
      db = new Database(data.file, { readwrite: true, create: false })
      db.exec('PRAGMA busy_timeout = 5000')
      db.exec('PRAGMA query_only = ON') // reads only, whatever it is sent
    }
    let stmt = statements.get(data.sql)
    if (!stmt) {
      if (statements.size >= 200) statements.clear()
      statements.set(data.sql, (stmt = db.prepare(data.sql)))
    }
    postMessage({ id: data.id, ok: true, rows: stmt.values(...(data.params as never[])) } satisfies ReadAnswer)
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e))
    postMessage({ id: data.id, ok: false, name: error.name, message: error.message } satisfies ReadAnswer)
  }
}
