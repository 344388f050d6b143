// Requests for the same thing, taken together: while one batch for a key runs, the requests for that key that arrive
// queue up on this node, and the next batch handles them all in one go (one transaction, one read, one write),
// answering each with its own outcome. For read-modify-writes of one row that many callers change at once: they take
// turns anyway (under the row's lock), and each turn costs round trips to the database that a batch pays once.
import type { Db } from './client'

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

type Entry = { request: unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }
type Batch<Req, Res> = (requests: Req[]) => Promise<Outcome<Res>[]>

/** At most this many requests in one batch. */
const BATCH_MAX = 64

const queues = new WeakMap<Db, Map<string, Entry[]>>()

/**
 * Answers `request` through `run`, which gets it alone at once when nothing for `key` is running on this node, or
 * with the others that queued meanwhile. `run` must answer one outcome per request, in their order, as if it had
 * handled them one after another; when it throws, every request of its batch gets that error. Not for use inside a
 * transaction: the batch runs in its own. With `gatherTurn`, the first batch waits for the next turn of the event loop
 * and takes every request asked for until then: the requests whose sockets were read in one go (under load, many) go
 * together instead of the first alone.
 */
export function coalesced<Req, Res>(
  db: Db,
  key: string,
  request: Req,
  run: Batch<Req, Res>,
  { gatherTurn = false }: { gatherTurn?: boolean } = {},
): Promise<Res> {
  let byKey = queues.get(db)
  if (!byKey) queues.set(db, (byKey = new Map()))
  const waiting = byKey.get(key)
  return new Promise<Res>((resolve, reject) => {
    const entry: Entry = { request, resolve: resolve as Entry['resolve'], reject }
    if (waiting) return void waiting.push(entry)
    const queue: Entry[] = []
    byKey.set(key, queue)
    if (gatherTurn) {
      queue.push(entry)
      setImmediate(() => void drain(byKey, key, queue, queue.splice(0, BATCH_MAX), run as Batch<unknown, unknown>))
    } else void drain(byKey, key, queue, [entry], run as Batch<unknown, unknown>)
  })
}

async function drain(byKey: Map<string, Entry[]>, key: string, queue: Entry[], first: Entry[], run: Batch<unknown, unknown>) {
  for (let batch = first; batch.length; batch = queue.splice(0, BATCH_MAX)) {
    try {
      const outcomes = await run(batch.map((e) => e.request))
      batch.forEach((e, i) => {
        const outcome = outcomes[i]!
        if (outcome.ok) e.resolve(outcome.value)
        else e.reject(outcome.error)
      })
    } catch (error) {
      for (const e of batch) e.reject(error)
    }
  }
  byKey.delete(key)
}
