// Long reads off the server's thread on SQLite. bun:sqlite runs a statement synchronously, so a read that scans a
// big site's rows (a search: ~0.5–1.2 s at 1M items) held up every other request. A worker with its own connection
// runs such reads instead (WAL lets it read beside the server's writes), one after another; the server's thread
// only waits for the answer.
import { workerEntry } from '../worker-entry'
import type { ReadAnswer, ReadRequest } from './read-worker'

const workerUrl = workerEntry('db/read-worker.ts')

type Pending = { resolve: (rows: unknown[][]) => void; reject: (error: Error) => void }
type Reader = { worker: Worker; pending: Map<number, Pending>; next: number }

const readers = new Map<string, Reader>()

function readerFor(file: string): Reader {
  let reader = readers.get(file)
  if (reader) return reader
  const worker = new Worker(workerUrl)
  ;(worker as Worker & { unref(): void }).unref() // never what keeps the process alive
  reader = { worker, pending: new Map(), next: 1 }
  const r = reader
  worker.onmessage = ({ data }: MessageEvent<ReadAnswer>) => {
    const p = r.pending.get(data.id)
    r.pending.delete(data.id)
    if (!p) return
    if (data.ok) p.resolve(data.rows)
    else p.reject(Object.assign(new Error(data.message), { name: data.name }))
  }
  worker.onerror = (event) => {
    // A dead worker fails what it was asked and is replaced at the next read.
    readers.delete(file)
    for (const p of r.pending.values()) p.reject(new Error(event.message || 'the read worker failed'))
    r.pending.clear()
  }
  readers.set(file, reader)
  return reader
}

/** Runs a read-only statement on the file's read worker; rows as arrays, in the statement's column order. */
export function readInWorker(file: string, sql: string, params: unknown[]): Promise<unknown[][]> {
  const reader = readerFor(file)
  const id = reader.next++
  return new Promise((resolve, reject) => {
    reader.pending.set(id, { resolve, reject })
    reader.worker.postMessage({ id, file, sql, params } satisfies ReadRequest)
  })
}

/** Stops the file's read worker (when its database closes); what it was still asked fails. */
export function stopReader(file: string): void {
  const reader = readers.get(file)
  if (!reader) return
  readers.delete(file)
  reader.worker.terminate()
  for (const p of reader.pending.values()) p.reject(new Error('the database was closed'))
}
