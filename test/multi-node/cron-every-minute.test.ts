// The real schedule on two nodes: `--cron '* * * * *'` on both, and the cron sync events say the job ran exactly
// once per minute between them. Bounded: two minute boundaries after both nodes are up (at most ~140 s).
import { afterAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { allRows, closeDb, openDb, type Db } from '../../src/db/client'
import { sharedPostgres } from '../helpers/postgres'
import { seedDatabase, startNode, type Node } from './node-process'

const MINUTE = 60_000
let nodes: Node[] = []
let db: Db | undefined

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()))
  if (db) await closeDb(db)
}, 30_000)

describe("two nodes with --cron '* * * * *' on one PostgreSQL", () => {
  it('run the daily job exactly once per scheduled minute between them', async () => {
    const url = await (await sharedPostgres()).createDatabase()
    await seedDatabase(url)
    nodes = await Promise.all(['a', 'b'].map((n) => startNode(n, url, { cron: '* * * * *', args: ['--backup-keep', '0'] })))
    const up = Date.now()
    // The two whole slots after both nodes are up; the job takes well under 10 s here.
    const first = Math.ceil(up / MINUTE) * MINUTE
    const slots = [first, first + MINUTE]
    await Bun.sleep(slots[1]! + 10_000 - Date.now())

    db = openDb(url)
    const events = await allRows<{ started_at: string; counts_json: string; status: string }>(
      db,
      sql`select started_at, counts_json, status from sync_events where kind = 'cron' order by id`,
    )
    const bySlot = new Map<number, number>()
    for (const e of events) {
      const slot = Math.floor(Date.parse(e.started_at) / MINUTE) * MINUTE
      bySlot.set(slot, (bySlot.get(slot) ?? 0) + 1)
    }
    console.log(`[multi-node] cron events: ${events.map((e) => e.started_at).join(', ')}`)
    // Every slot both nodes were up for ran once; nothing ran before them (a fresh database has nothing to catch up).
    for (const slot of slots)
      expect({ slot: new Date(slot).toISOString(), runs: bySlot.get(slot) ?? 0 }).toEqual({
        slot: new Date(slot).toISOString(),
        runs: 1,
      })
    expect(events.filter((e) => Date.parse(e.started_at) < first)).toEqual([])
    expect(events.every((e) => e.status === 'ok' && JSON.parse(e.counts_json).trigger === 'schedule')).toBe(true)
    // Between them the nodes logged one finished run per event, and nothing failed.
    expect(nodes.reduce((n, node) => n + node.logged('daily job finished').length, 0)).toBe(events.length)
    expect(nodes.flatMap((n) => n.logged('daily job failed'))).toEqual([])
  }, 200_000)
})
