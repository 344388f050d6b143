// Concurrency: 64 clients spread over two `igny8 serve` processes on one data dir mix structure pushes, content
// and terms batches, reads, API logins and admin pages for a fixed time (10 s, to keep the suite's total in
// bounds on a 2-core machine). No answer may be a 5xx or mention SQLITE_BUSY, no log line may either, and
// the kept counters must equal what was acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, spawnServers, type ServerProcess } from '../multi-process/serve-process'
import { BUSY, counterMismatches, faultSeed, integrity, markedItem, markedStructure, markedTerm, prng, withDbFile } from './helpers'

const CLIENTS = 64
const DURATION_MS = Number(process.env.FAULT_DURATION_MS ?? 10_000)
const PER_BATCH = 20
const seed = faultSeed()
const dir = mkdtempSync(join(tmpdir(), 'igny8-load-'))
const USER = { email: 'owner@example.com', password: 'correct horse battery staple' }

let servers: ServerProcess[] = []
let key: string
let token: string
let siteId: number
let path: string
const cookies: string[] = []
const acked = { content: new Set<number>(), terms: new Set<number>(), pushes: 0, batches: 0 }
const bad: string[] = []
const tally: Record<string, number> = {}
const logs: string[] = []

beforeAll(async () => {
  const created = runCli(['user', 'create', '--email', USER.email, '--password', USER.password, '--admin'], dir)
  if (created.code !== 0) throw new Error(`user create failed: ${created.stderr}`)
  servers = await spawnServers(dir, 2)
  const [a] = servers
  token = (await a!.call('POST', '/api/v1/auth/login/', { body: USER })).body.data.access
  const site = await a!.call('POST', '/api/v1/system/sites/', { token, body: { name: 'Blog', url: 'https://blog.example.com' } })
  siteId = site.body.data.id
  key = (await a!.call('POST', `/api/v1/system/sites/${siteId}/api-keys/`, { token, body: {} })).body.data.key
  const integrationId = (await a!.call('GET', `/api/v1/integration/integrations/?site=${siteId}`, { token: key })).body.results[0].id
  path = `/api/v1/integration/integrations/${integrationId}`
  if ((await a!.call('POST', `${path}/update-structure/`, { token: key, body: markedStructure('s', 0) })).status !== 200)
    throw new Error('push failed')
  acked.pushes++
  for (const s of servers) {
    const res = await fetch(`${s.base}/login`, { method: 'POST', body: new URLSearchParams(USER), redirect: 'manual' })
    if (res.status !== 303) throw new Error(`admin login failed: ${res.status}`)
    cookies.push(res.headers.get('set-cookie')!.split(';')[0]!)
  }
}, 60_000)

afterAll(() => {
  for (const s of servers) s.kill()
  rmSync(dir, { recursive: true, force: true })
})

/** One client: random operations against its server until the time is up; each batch writes ids no other batch has. */
async function client(c: number, until: number) {
  const rnd = prng(seed + c)
  const server = servers[c % servers.length]!
  const cookie = cookies[c % servers.length]!
  let n = 0
  while (Date.now() < until) {
    const ids = Array.from({ length: PER_BATCH }, (_, j) => c * 1_000_000 + n * PER_BATCH + j + 1)
    n++
    const r = rnd()
    let what: string
    let status: number
    let text: string
    try {
      if (r < 0.3) {
        what = 'content'
        const res = await server.call('POST', `${path}/sync-content/`, {
          token: key,
          body: { items: ids.map((id) => markedItem(`c${c}`, id)) },
        })
        ;({ status, text } = res)
        if (status === 200) for (const id of ids) acked.content.add(id)
        if (status === 200) acked.batches++
      } else if (r < 0.5) {
        what = 'terms'
        const res = await server.call('POST', `${path}/sync-terms/`, {
          token: key,
          body: { terms: ids.map((id) => markedTerm(`c${c}`, id)) },
        })
        ;({ status, text } = res)
        if (status === 200) for (const id of ids) acked.terms.add(id)
        if (status === 200) acked.batches++
      } else if (r < 0.6) {
        what = 'push'
        ;({ status, text } = await server.call('POST', `${path}/update-structure/`, { token: key, body: markedStructure('s', n) }))
        if (status === 200) acked.pushes++
      } else if (r < 0.8) {
        what = 'read'
        const url = [
          `${path}/content-types/`,
          `${path}/content/?page_size=50`,
          `${path}/terms/?taxonomy=category`,
          '/api/v1/system/sites/',
        ][Math.floor(rnd() * 4)]!
        ;({ status, text } = await server.call('GET', url, { token: rnd() < 0.5 ? key : token }))
      } else if (r < 0.85 && c % 8 === 0) {
        // Only a few clients log in, so parallel logins of the one user stay under the per-email limit (8).
        what = 'login'
        ;({ status, text } = await server.call('POST', '/api/v1/auth/login/', { body: USER }))
      } else {
        what = 'admin'
        const page = [`/sites`, `/sites/${siteId}/content-types`, `/sites/${siteId}/sync-log`, '/account'][Math.floor(rnd() * 4)]!
        const res = await fetch(server.base + page, { headers: { cookie }, redirect: 'manual' })
        status = res.status
        text = await res.text()
      }
    } catch (e) {
      bad.push(`client ${c}: request failed: ${(e as Error).message}`)
      return
    }
    tally[`${what} ${status}`] = (tally[`${what} ${status}`] ?? 0) + 1
    if (status !== 200) bad.push(`client ${c} ${what}: ${status} ${text.slice(0, 200)}`)
    else if (BUSY.test(text)) bad.push(`client ${c} ${what}: answer mentions SQLITE_BUSY`)
  }
}

describe(`${CLIENTS} clients on two igny8 serve processes for ${DURATION_MS / 1000} s (seed ${seed}; FAULT_SEED=${seed} replays)`, () => {
  it(
    'answers every push, batch, read, login and admin page with 200, none mentioning SQLITE_BUSY',
    async () => {
      const until = Date.now() + DURATION_MS
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c, until)))
      console.log(`load (seed ${seed}):`, tally)
      expect(bad.slice(0, 20)).toEqual([])
      expect(acked.content.size).toBeGreaterThan(0)
    },
    DURATION_MS + 60_000,
  )

  it('both servers stop with exit 0, having logged no error and no SQLITE_BUSY', async () => {
    const stopped = await Promise.all(servers.map((s) => s.stop()))
    for (const s of stopped) {
      logs.push(s.stdout, s.stderr)
      expect(s.code).toBe(0)
      expect(s.stdout + s.stderr).not.toMatch(BUSY)
      const errors = s.stdout.split('\n').filter((l) => l.startsWith('{') && JSON.parse(l).level === 'error')
      expect(errors).toEqual([])
    }
  }, 30_000)

  it('kept exactly what was acknowledged: counters equal both the acknowledged ids and a recount, one event per request', () => {
    withDbFile(dir, (db) => {
      expect(integrity(db)).toBe('ok')
      expect(counterMismatches(db)).toEqual([])
      const one = (q: string) => (db.query(q).get() as { n: number }).n
      expect(one("select synced_count n from type_counters where kind = 'post_type' and slug = 'post'")).toBe(acked.content.size)
      expect(one("select synced_count n from type_counters where kind = 'taxonomy' and slug = 'category'")).toBe(acked.terms.size)
      expect(one("select count(*) n from sync_events where kind in ('content', 'terms')")).toBe(acked.batches)
      expect(one("select count(*) n from sync_events where kind = 'structure'")).toBe(acked.pushes)
    })
  })
})
