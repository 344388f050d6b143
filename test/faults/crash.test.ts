// Crash safety: `igny8 serve` is SIGKILLed at random moments while a client pushes structures, content and
// terms batches; after every restart the file is sound, every answered batch is there whole, no batch is
// half there, and the kept counters equal a recount. Every row carries its batch's marker ("b<k>-<id>"), so a
// half-applied batch shows as a batch whose rows are partly present or carry two markers.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, spawnServer, type ServerProcess } from '../multi-process/serve-process'
import { BUSY, counterMismatches, faultSeed, integrity, markedItem, markedStructure, markedTerm, prng, withDbFile } from './helpers'

const KILLS = 20
const BATCH = 25 // own ids per batch
const SHARED = [1, 2, 3, 4, 5] // in every batch: they must always carry one batch's marker, all five alike
const seed = faultSeed()
const rnd = prng(seed)
const dir = mkdtempSync(join(tmpdir(), 'igny8-crash-'))
const USER = { email: 'owner@example.com', password: 'correct horse battery staple' }

let server: ServerProcess | undefined
let key: string
let token: string
let integrationId: number
let path: string

/** One sequential lane of requests (each lane's order is known, so "the last one written" is too). */
type Lane = { next: number; sent: Set<number>; acked: Set<number> }
const lane = (): Lane => ({ next: 0, sent: new Set(), acked: new Set() })
/** Markers the last write of a lane may carry: its last answered request, or one sent after it whose answer was lost. */
const lastWrites = (l: Lane, prefix: string) => {
  const last = Math.max(-1, ...l.acked)
  return new Set([...l.sent].filter((k) => k >= last).map((k) => `${prefix}${k}`))
}
const content = lane()
const terms = lane()
const pushes = lane()
const big = lane() // batches of BIG pages: long writes, so many kills land inside a transaction
const BIG = 500
const bigIds = (k: number) => Array.from({ length: BIG }, (_, j) => 5_000_000 + k * BIG + j)
const lostButKept = { content: 0, terms: 0, big: new Set<number>() } // kills that landed after a commit, before its answer
const failures: string[] = [] // answers other than 200 or a dropped connection
const logs: string[] = []

const ownIds = (k: number) => Array.from({ length: BATCH }, (_, j) => 1000 + k * BATCH + j)
/** Every third batch also deletes the previous batch's own ids. */
const deleterOf = (k: number) => ((k + 1) % 3 === 0 ? k + 1 : null)
const deletesOf = (k: number) => (k > 0 && k % 3 === 0 ? ownIds(k - 1) : [])

function contentBody(k: number) {
  return { items: [...SHARED, ...ownIds(k)].map((id) => markedItem(`b${k}`, id)), deleted: deletesOf(k) }
}
function termsBody(k: number) {
  return {
    terms: [...SHARED, ...ownIds(k)].map((id) => markedTerm(`t${k}`, id)),
    deleted: deletesOf(k).map((id) => ({ taxonomy: 'category', external_id: id })),
  }
}

/** Sends a lane's requests one after another until the connection drops (the server was killed). */
async function drive(l: Lane, send: (k: number) => Promise<{ status: number; text: string }>, what: string) {
  for (;;) {
    const k = l.next++
    l.sent.add(k)
    let res: { status: number; text: string }
    try {
      res = await send(k)
    } catch {
      return // connection refused or reset: the kill landed; k may or may not have committed
    }
    if (res.status === 200) l.acked.add(k)
    else failures.push(`${what} ${k}: ${res.status} ${res.text.slice(0, 200)}`)
  }
}

/** What `ids` look like in a marker map: how many are present and which markers they carry. */
function look(stored: Map<number, string>, ids: number[]) {
  const markers = new Set<string>()
  let present = 0
  for (const id of ids) {
    const v = stored.get(id)
    if (v === undefined) continue
    present++
    markers.add(v.slice(0, v.indexOf('-')))
  }
  return { present, markers: [...markers] }
}

/** Checks one lane's rows in the file: whole-or-nothing batches, acknowledged ones there, the shared ids from one batch. */
function checkLane(l: Lane, stored: Map<number, string>, prefix: string, lost: 'content' | 'terms'): string[] {
  const bad: string[] = []
  const last = Math.max(-1, ...l.acked)
  for (const k of l.sent) {
    const { present, markers } = look(stored, ownIds(k))
    if (present !== 0 && present !== BATCH) bad.push(`${prefix}${k}: ${present} of ${BATCH} own rows present (half applied)`)
    if (present && (markers.length !== 1 || markers[0] !== `${prefix}${k}`)) bad.push(`${prefix}${k}: own rows carry ${markers}`)
    if (!l.acked.has(k) && present === BATCH && l.next - 1 === k) lostButKept[lost]++
    const d = deleterOf(k)
    const deletedForSure = d !== null && l.acked.has(d)
    const maybeDeleted = d !== null && l.sent.has(d)
    if (l.acked.has(k) && !maybeDeleted && present !== BATCH)
      bad.push(`${prefix}${k}: answered 200 but ${present} of ${BATCH} rows present`)
    if (deletedForSure && present !== 0) bad.push(`${prefix}${k}: deleted by answered ${prefix}${d} but ${present} rows present`)
  }
  if (last >= 0) {
    const { present, markers } = look(stored, SHARED)
    const allowed = lastWrites(l, prefix)
    if (present !== SHARED.length || markers.length !== 1 || !allowed.has(markers[0]!))
      bad.push(`shared ids: ${present} present with ${markers}, expected all from one of ${[...allowed]}`)
  }
  return bad
}

beforeAll(async () => {
  const created = runCli(['user', 'create', '--email', USER.email, '--password', USER.password], dir)
  if (created.code !== 0) throw new Error(`user create failed: ${created.stderr}`)
  server = await spawnServer(dir)
  token = (await server.call('POST', '/api/v1/auth/login/', { body: USER })).body.data.access
  const site = await server.call('POST', '/api/v1/system/sites/', { token, body: { name: 'Blog', url: 'https://blog.example.com' } })
  key = (await server.call('POST', `/api/v1/system/sites/${site.body.data.id}/api-keys/`, { token, body: {} })).body.data.key
  integrationId = (await server.call('GET', `/api/v1/integration/integrations/?site=${site.body.data.id}`, { token: key })).body.results[0]
    .id
  path = `/api/v1/integration/integrations/${integrationId}`
  const first = await server.call('POST', `${path}/update-structure/`, { token: key, body: markedStructure('s0', 0) })
  if (first.status !== 200) throw new Error(`first push failed: ${first.text}`)
  pushes.sent.add(0)
  pushes.acked.add(0)
  pushes.next = 1
}, 60_000)

afterAll(() => {
  server?.kill()
  rmSync(dir, { recursive: true, force: true })
})

describe(`igny8 serve SIGKILLed ${KILLS} times under writes (seed ${seed}; FAULT_SEED=${seed} replays)`, () => {
  it('keeps the file sound, every answered batch whole, no batch half-applied, and counters equal to a recount', async () => {
    for (let round = 0; round < KILLS; round++) {
      const s = server!
      const lanes = [
        drive(content, (k) => s.call('POST', `${path}/sync-content/`, { token: key, body: contentBody(k) }), 'content'),
        drive(terms, (k) => s.call('POST', `${path}/sync-terms/`, { token: key, body: termsBody(k) }), 'terms'),
        drive(
          big,
          (k) =>
            s.call('POST', `${path}/sync-content/`, {
              token: key,
              body: { items: bigIds(k).map((id) => markedItem(`B${k}`, id, 'page')) },
            }),
          'big',
        ),
        drive(pushes, (k) => s.call('POST', `${path}/update-structure/`, { token: key, body: markedStructure(`s${k}`, k) }), 'push'),
      ]
      await Bun.sleep(20 + Math.floor(rnd() * 400))
      s.kill() // SIGKILL, by pid
      await Promise.all(lanes)
      const out = await s.stop() // reaps the killed child and collects what it logged
      logs.push(out.stdout, out.stderr)

      // Restart on the crashed files: the server recovers the WAL itself, then the file is checked beside it.
      server = await spawnServer(dir)
      const problems = withDbFile(dir, (db) => {
        const bad: string[] = []
        const ok = integrity(db)
        if (ok !== 'ok') bad.push(`integrity_check: ${ok}`)
        bad.push(...counterMismatches(db))
        const rows = (q: string) => new Map((db.query(q).all(integrationId) as { id: number; v: string }[]).map((r) => [r.id, r.v]))
        bad.push(...checkLane(content, rows('select external_id id, title v from content where integration_id = ?'), 'b', 'content'))
        bad.push(
          ...checkLane(
            terms,
            rows("select external_id id, name v from content_taxonomy where integration_id = ? and taxonomy = 'category'"),
            't',
            'terms',
          ),
        )
        const pages = rows("select external_id id, title v from content where integration_id = ? and post_type = 'page'")
        for (const k of big.sent) {
          const { present, markers } = look(pages, bigIds(k))
          if (present !== 0 && present !== BIG) bad.push(`B${k}: ${present} of ${BIG} rows present (half applied)`)
          if (present && (markers.length !== 1 || markers[0] !== `B${k}`)) bad.push(`B${k}: rows carry ${markers}`)
          if (big.acked.has(k) && present !== BIG) bad.push(`B${k}: answered 200 but ${present} of ${BIG} rows present`)
          if (!big.acked.has(k) && present === BIG) lostButKept.big.add(k)
        }
        // The structure: one push's labels everywhere, from the last answered push or one sent after it.
        const config = JSON.parse((db.query('select config_json c from integrations where id = ?').get(integrationId) as { c: string }).c)
        const ct = config.content_types
        const labels = new Set([...Object.values(ct.post_types), ...Object.values(ct.taxonomies)].map((e: any) => e.label))
        const allowed = lastWrites(pushes, 's')
        if (labels.size !== 1 || !allowed.has([...labels][0]!)) bad.push(`structure labels ${[...labels]}, expected one of ${[...allowed]}`)
        return bad
      })
      expect({ round, seed, problems, failures }).toEqual({ round, seed, problems: [], failures: [] })

      // The restarted server answers synced_count equal to the rows in the file.
      const ct = (await server.call('GET', `${path}/content-types/`, { token: key })).body.data
      const recount = withDbFile(dir, (db) => ({
        post: (db.query("select count(*) n from content where integration_id = ? and post_type = 'post'").get(integrationId) as any).n,
        category: (
          db.query("select count(*) n from content_taxonomy where integration_id = ? and taxonomy = 'category'").get(integrationId) as any
        ).n,
      }))
      expect({ round, post: ct.post_types.post.synced_count, category: ct.taxonomies.category.synced_count }).toEqual({ round, ...recount })
    }
    console.log(
      `crash test (seed ${seed}): answered ${content.acked.size} content, ${terms.acked.size} terms, ${big.acked.size} big, ${pushes.acked.size} pushes;`,
      'killed after the commit, before the answer:',
      { ...lostButKept, big: lostButKept.big.size },
      `; big batches cut by a kill and rolled back: ${[...big.sent].filter((k) => !big.acked.has(k) && !lostButKept.big.has(k)).length}`,
    )
    // Enough work got through for the kills to have landed among real writes.
    expect(content.acked.size).toBeGreaterThan(KILLS)
    expect(terms.acked.size).toBeGreaterThan(KILLS)
    expect(big.acked.size).toBeGreaterThan(0)
  }, 150_000)

  it('logged no SQLITE_BUSY and no error line in any run', async () => {
    const out = await server!.stop()
    logs.push(out.stdout, out.stderr)
    expect(out.code).toBe(0)
    const all = logs.join('\n')
    expect(all).not.toMatch(BUSY)
    const errors = all
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .filter((l) => JSON.parse(l).level === 'error')
    expect(errors).toEqual([])
  }, 30_000)
})
