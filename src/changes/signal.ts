// Wakes the delivery worker of a database when a change is queued, without the request waiting for it.
import type { Db } from '../db/client'

const listeners = new WeakMap<Db, (integrationId: number) => void>()

/** The worker of `db` subscribes here (one per database). */
export function onQueued(db: Db, listener: ((integrationId: number) => void) | undefined): void {
  if (listener) listeners.set(db, listener)
  else listeners.delete(db)
}

/** Called after a change was committed as pending; the worker runs later, outside the request. */
export function queued(db: Db, integrationId: number): void {
  const listener = listeners.get(db)
  if (listener) queueMicrotask(() => listener(integrationId))
}
