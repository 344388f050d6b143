// The delivery worker of one server process: woken when a change is queued and every 30 s, it returns expired
// leases, nudges plugins and runs REST deliveries, never inside the request that queued the change. All its state is
// in the database (a lease held by a dead process simply runs out), so a restart loses nothing.
import { randomUUID } from 'node:crypto'
import { selectDistinct } from './worker-queries'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { describeSafely } from '../http/errors'
import type { Logger } from '../log'
import { deliveryPath } from './delivery-path'
import { expireLeases } from './lease'
import { sendNudge } from './nudge'
import { deliverOverRest } from './rest-delivery'
import { onQueued } from './signal'

/** How often changes left waiting for the plugin are nudged again. */
export const RENUDGE_MS = 60_000

export type ChangeWorker = { wake(integrationId?: number): void; idle(): Promise<void>; stop(): Promise<void> }

/** Starts the worker of `db`; `stop()` waits for a running delivery (aborting its requests) before it answers. */
export async function startChangeWorker(
  deps: { db: Db; config: Config; log: Logger },
  opts: { intervalMs?: number; renudgeMs?: number } = {},
): Promise<ChangeWorker> {
  const { db, config, log } = deps
  const owner = `rest:${process.pid}:${randomUUID().slice(0, 8)}`
  const abort = new AbortController()
  // Integrations whose plugin should hear about new changes; on start, every one with changes waiting.
  const toNudge = new Set<number>(await selectDistinct(db, 'pending'))
  let running: Promise<void> | null = null
  let again = false
  let stopped = false

  const lastNudged = new Map<number, number>()
  async function nudge(id: number) {
    lastNudged.set(id, Date.now())
    const r = await sendNudge(db, config, id, abort.signal)
    if (r.error || (r.status && !r.sent)) log.warn('plugin nudge failed', { integration: id, status: r.status, error: r.error })
  }

  async function tick() {
    await expireLeases(db)
    const nudges = [...toNudge]
    toNudge.clear()
    for (const id of nudges) if ((await deliveryPath(db, id)).path !== 'rest') await nudge(id)
    for (const id of await selectDistinct(db, 'due')) {
      if (abort.signal.aborted) return
      const path = (await deliveryPath(db, id)).path
      if (path === 'rest') await deliverOverRest(db, config, id, owner, abort.signal)
      // Changes still waiting for the plugin (it took only part of a large queue, or missed a nudge): nudge it
      // again, at most once a minute, so a site without visitors (no WP-Cron runs) still drains its queue.
      else if (path === 'plugin' && Date.now() - (lastNudged.get(id) ?? 0) >= (opts.renudgeMs ?? RENUDGE_MS)) await nudge(id)
    }
  }

  function kick() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = tick()
      .catch((e) => log.error('change worker failed', { error: describeSafely(e) }))
      .finally(() => {
        running = null
        if (again && !stopped) {
          again = false
          kick()
        }
      })
  }

  onQueued(db, (id) => {
    toNudge.add(id)
    kick()
  })
  const timer = setInterval(kick, opts.intervalMs ?? 30_000)
  kick()
  return {
    wake(id) {
      if (id !== undefined) toNudge.add(id)
      kick()
    },
    async idle() {
      while (running) await running
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      onQueued(db, undefined)
      abort.abort()
      while (running) await running
    },
  }
}
