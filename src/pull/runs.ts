// Pulls running in this process, per database: a shutdown aborts them and waits for each to record its event
// before the database closes. Admin pulls run in the background (Sync now answers at once), so no request
// keeps them in view.
import type { Db } from '../db/client'

type Runs = { controller: AbortController; running: Set<Promise<unknown>> }
const registry = new WeakMap<Db, Runs>()

function runsOf(db: Db): Runs {
  let runs = registry.get(db)
  if (!runs) registry.set(db, (runs = { controller: new AbortController(), running: new Set() }))
  return runs
}

/** Aborted when this process shuts down (stopPulls): every pull passes it to its requests. */
export const shutdownSignal = (db: Db): AbortSignal => runsOf(db).controller.signal

/** Keeps `pull` in view until it settles, so a shutdown can wait for it. */
export function track<T>(db: Db, pull: Promise<T>): Promise<T> {
  const { running } = runsOf(db)
  const settled: Promise<unknown> = pull.then(
    () => running.delete(settled),
    () => running.delete(settled),
  )
  running.add(settled)
  return pull
}

/** On shutdown: aborts this process's pulls and resolves once each has ended (and recorded its event). */
export async function stopPulls(db: Db): Promise<void> {
  const runs = runsOf(db)
  runs.controller.abort()
  await Promise.allSettled([...runs.running])
}
