// Shutdown under load: SIGTERM while clients push content batches. Requests already inside the server finish
// and are answered, the process exits 0, and every batch answered 200 is in the file, whole.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, spawnServer, type ServerProcess } from '../multi-process/serve-process'
import { BUSY, counterMismatches, integrity, markedItem, markedStructure, withDbFile } from './helpers'

const CLIENTS = 16
const PER_BATCH = 50
const dir = mkdtempSync(join(tmpdir(), 'igny8-term-'))
const USER = { email: 'owner@example.com', password: 'correct horse battery staple' }

let server: ServerProcess
let key: string
let integrationId: number
let path: string
type Sent = { batch: number; sentAt: number; doneAt?: number; status: number | 'dropped' }
const sent: Sent[] = []
let termAt = 0
let stopped: Awaited<ReturnType<ServerProcess['stop']>>

beforeAll(async () => {
  const created = runCli(['user', 'create', '--email', USER.email, '--password', USER.password], dir)
  if (created.code !== 0) throw new Error(`user create failed: ${created.stderr}`)
  server = await spawnServer(dir)
  const token = (await server.call('POST', '/api/v1/auth/login/', { body: USER })).body.data.access
  const site = await server.call('POST', '/api/v1/system/sites/', { token, body: { name: 'Blog', url: 'https://blog.example.com' } })
  key = (await server.call('POST', `/api/v1/system/sites/${site.body.data.id}/api-keys/`, { token, body: {} })).body.data.key
  integrationId = (await server.call('GET', `/api/v1/integration/integrations/?site=${site.body.data.id}`, { token: key })).body.results[0]
    .id
  path = `/api/v1/integration/integrations/${integrationId}`
  if ((await server.call('POST', `${path}/update-structure/`, { token: key, body: markedStructure('s', 0) })).status !== 200)
    throw new Error('push failed')
}, 60_000)

afterAll(() => {
  server?.kill()
  rmSync(dir, { recursive: true, force: true })
})

const ids = (batch: number) => Array.from({ length: PER_BATCH }, (_, j) => batch * PER_BATCH + j + 1)

describe('SIGTERM under load', () => {
  it('answers the requests in flight, exits 0 and logs no error', async () => {
    let next = 0
    let stop = false
    const lane = async () => {
      while (!stop) {
        const s: Sent = { batch: next++, sentAt: Date.now(), status: 'dropped' }
        sent.push(s)
        try {
          s.status = (
            await server.call('POST', `${path}/sync-content/`, {
              token: key,
              body: { items: ids(s.batch).map((id) => markedItem(`b${s.batch}`, id)) },
            })
          ).status
          s.doneAt = Date.now()
        } catch {
          return // refused or reset: the server has stopped listening
        }
      }
    }
    const lanes = Array.from({ length: CLIENTS }, lane)
    await Bun.sleep(1500)
    termAt = Date.now()
    process.kill(server.pid, 'SIGTERM')
    // Clients keep sending until the server stops answering; give the drain a bound.
    const result = await Promise.race([Promise.all(lanes).then(() => 'done' as const), Bun.sleep(15_000).then(() => 'stuck' as const)])
    stop = true
    // Wait for the drain to end on its own: a second SIGTERM (what stop() sends) would cut it short.
    await Promise.race([server.exited, Bun.sleep(15_000)])
    stopped = await server.stop()
    expect(result).toBe('done')
    expect(stopped.code).toBe(0)
    expect(stopped.stdout + stopped.stderr).not.toMatch(BUSY)
    expect(stopped.stdout.split('\n').filter((l) => l.startsWith('{') && JSON.parse(l).level === 'error')).toEqual([])
    expect(stopped.stdout).toContain('"msg":"stopped"')
    const answered = sent.filter((s) => s.status === 200)
    expect(answered.length).toBeGreaterThan(CLIENTS)
    // Requests sent well before the signal were inside the server when it came: each must have been answered 200.
    const early = sent.filter((s) => s.sentAt < termAt - 500 && s.status !== 200)
    expect(early).toEqual([])
    expect(sent.filter((s) => s.status !== 200 && s.status !== 'dropped')).toEqual([])
    // The signal landed under load: some requests sent before it were answered after it (drained, not cut).
    expect(sent.filter((s) => s.sentAt < termAt && s.status === 200 && s.doneAt! >= termAt).length).toBeGreaterThan(0)
  }, 60_000)

  it('kept every batch answered 200, whole, and no batch half', () => {
    withDbFile(dir, (db) => {
      expect(integrity(db)).toBe('ok')
      expect(counterMismatches(db)).toEqual([])
      const titles = new Map(
        (
          db.query('select external_id id, title t from content where integration_id = ?').all(integrationId) as { id: number; t: string }[]
        ).map((r) => [r.id, r.t]),
      )
      const problems: string[] = []
      for (const s of sent) {
        const present = ids(s.batch).filter((id) => titles.get(id) === `b${s.batch}-${id}`).length
        if (present !== 0 && present !== PER_BATCH) problems.push(`batch ${s.batch}: ${present} of ${PER_BATCH} rows (half applied)`)
        if (s.status === 200 && present !== PER_BATCH) problems.push(`batch ${s.batch}: answered 200 but ${present} of ${PER_BATCH} rows`)
      }
      expect(problems).toEqual([])
      expect(titles.size).toBeGreaterThanOrEqual(sent.filter((s) => s.status === 200).length * PER_BATCH)
    })
  })
})

// Clients that give up: Bun's server.stop() waits for the requests of connected clients, not for the handlers of
// requests whose client has gone; those run on, and a transaction of theirs may still be queued for the database.
// Shutdown waits for them (src/http/in-flight.ts) before it closes the database. Seen with wrk (64 connections of
// pushes, all closed at once, SIGTERM right after): "Database has closed" answers and error lines in 1 of 5 runs
// before, none in 8 after. This test makes the same moment; the race is not certain to occur in every run.
describe('SIGTERM as every client leaves mid-request', () => {
  const leaveDir = mkdtempSync(join(tmpdir(), 'igny8-term-leave-'))
  afterAll(() => rmSync(leaveDir, { recursive: true, force: true }))

  it('lets the handlers of the requests left behind finish, exits 0, logs no error and keeps the file whole', async () => {
    const created = runCli(['user', 'create', '--email', USER.email, '--password', USER.password], leaveDir)
    if (created.code !== 0) throw new Error(`user create failed: ${created.stderr}`)
    const leaving = await spawnServer(leaveDir)
    try {
      const token = (await leaving.call('POST', '/api/v1/auth/login/', { body: USER })).body.data.access
      const site = await leaving.call('POST', '/api/v1/system/sites/', { token, body: { name: 'Blog', url: 'https://blog.example.com' } })
      const siteKey = (await leaving.call('POST', `/api/v1/system/sites/${site.body.data.id}/api-keys/`, { token, body: {} })).body.data.key
      const id = (await leaving.call('GET', `/api/v1/integration/integrations/?site=${site.body.data.id}`, { token: siteKey })).body
        .results[0].id
      const at = `${leaving.base}/api/v1/integration/integrations/${id}`
      const leave = new AbortController()
      let n = 0
      const lane = async () => {
        while (!leave.signal.aborted) {
          const k = n++
          const push = k % 4 !== 0
          await fetch(push ? `${at}/update-structure/` : `${at}/sync-content/`, {
            method: 'POST',
            headers: { authorization: `Bearer ${siteKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(push ? markedStructure(`l${k}`, k) : { items: ids(k).map((i) => markedItem(`l${k}`, i)) }),
            signal: leave.signal,
          }).then(
            (r) => r.arrayBuffer(),
            () => undefined,
          )
        }
      }
      const lanes = Array.from({ length: 64 }, lane)
      await Bun.sleep(1000)
      leave.abort() // every client leaves with its request in the server
      process.kill(leaving.pid, 'SIGTERM')
      await Promise.all(lanes)
      await Promise.race([leaving.exited, Bun.sleep(15_000)])
      const result = await leaving.stop()
      expect(n).toBeGreaterThan(64)
      expect(result.code).toBe(0)
      expect(result.stdout + result.stderr).not.toMatch(BUSY)
      expect(result.stdout.split('\n').filter((l) => l.startsWith('{') && JSON.parse(l).level !== 'info')).toEqual([])
      expect(result.stdout).toContain('"msg":"stopped"')
      withDbFile(leaveDir, (db) => {
        expect(integrity(db)).toBe('ok')
        expect(counterMismatches(db)).toEqual([])
      })
    } finally {
      leaving.kill()
    }
  }, 60_000)
})
