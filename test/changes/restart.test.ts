// Restart survival with real server processes on one data dir: changes queued before a stop, and a lease left by a
// holder that never answered, are delivered after the next start (the worker nudges the plugin on start-up; the
// "plugin" here is a loopback receiver that verifies the nudge, polls and answers like the real one).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { dbFile } from '../../src/config'
import { closeDb, openDb, runSql } from '../../src/db/client'
import { sharedPostgres } from '../helpers/postgres'
import { seedStructure, TEST_ENGINE, TEST_SECRET } from '../helpers/server'
import { freePort, runCli } from '../multi-process/serve-process'
import { post } from './helpers'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>
const dir = mkdtempSync(join(tmpdir(), 'igny8-restart-'))
const procs: Subprocess[] = []
let receiver: ReturnType<typeof Bun.serve> | undefined
// The data dir's SQLite file, or (IGNY8_TEST_ENGINE=postgres) a fresh database of the suite's PostgreSQL.
let databaseUrl: string | undefined
const database = () => (databaseUrl ? ['--database-url', databaseUrl] : [])

beforeAll(async () => {
  if (TEST_ENGINE === 'postgres') databaseUrl = await (await sharedPostgres()).createDatabase()
}, 60_000)

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL')
  receiver?.stop(true)
  rmSync(dir, { recursive: true, force: true })
})

/** `igny8 serve` on `port` over the shared data dir, loopback targets allowed (the receiver is on 127.0.0.1). */
async function serve(port: number) {
  const proc = Bun.spawn(
    [
      process.execPath,
      ENTRY,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      dir,
      ...database(),
      '--secret',
      TEST_SECRET,
      '--pull-allow-private',
    ],
    { env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
  )
  procs.push(proc)
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${base}/api/v1/health/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    await Bun.sleep(100)
  }
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const stop = async () => {
    proc.kill('SIGTERM')
    return proc.exited
  }
  return { base, call, stop }
}

describe('igny8 serve restarted on the same data dir', () => {
  it('delivers what was pending and what a lost lease held', async () => {
    expect(runCli(['user', 'create', '--email', 'r@example.com', '--password', 'correct horse battery', ...database()], dir).code).toBe(0)
    const port = freePort()
    const a = await serve(port)
    const token = (await a.call('POST', '/api/v1/auth/login/', undefined, { email: 'r@example.com', password: 'correct horse battery' }))
      .body.data.access
    const site = (await a.call('POST', '/api/v1/system/sites/', token, { name: 'Blog', url: 'https://blog.example.com' })).body.data
    const key = (await a.call('POST', `/api/v1/system/sites/${site.id}/api-keys/`, token, {})).body.data.key
    const integration = (await a.call('GET', `/api/v1/integration/integrations/?site=${site.id}`, token)).body.results[0].id
    const b = `/api/v1/integration/integrations/${integration}`
    expect((await a.call('POST', `${b}/update-structure/`, key, seedStructure())).status).toBe(200)
    await a.call('POST', `${b}/sync-terms/`, key, {
      terms: [
        { external_id: 12, taxonomy: 'category', name: 'N', slug: 'n' },
        { external_id: 40, taxonomy: 'post_tag', name: 'a', slug: 'a' },
      ],
    })
    expect((await a.call('POST', `${b}/sync-content/`, key, { items: [post(1), post(2)] })).body.data.created).toBe(2)

    // The plugin registers an endpoint that is down for now; one change gets leased and never answered.
    const nudgePort = freePort()
    const secret = (await a.call('PUT', `${b}/plugin-endpoint/`, key, { url: `http://127.0.0.1:${nudgePort}/nudge` })).body.data.secret
    const lost = (await a.call('PATCH', `${b}/content/2/`, token, { title: 'Lost lease' })).body.data
    expect((await a.call('GET', `${b}/changes/pending/`, key)).body.results.map((c: any) => c.id)).toEqual([lost.id])
    const queued = (await a.call('PATCH', `${b}/content/1/`, token, { title: 'Survives' })).body.data
    expect(await a.stop()).toBe(0)

    // Five minutes pass while the server is down: the lease has run out.
    const db = openDb(databaseUrl ?? dbFile({ dataDir: dir }))
    await runSql(db, sql`update content_changes set lease_expires_at = ${Date.now() - 1} where id = ${lost.id}`)
    await closeDb(db)

    // The "plugin": verifies the nudge, polls, applies, answers.
    const applied: number[] = []
    let done: () => void
    const allApplied = new Promise<void>((r) => (done = r))
    let second: ReturnType<typeof serve> | undefined
    receiver = Bun.serve({
      hostname: '127.0.0.1',
      port: nudgePort,
      async fetch(req) {
        const body = await req.text()
        const [id, ts] = [req.headers.get('webhook-id'), req.headers.get('webhook-timestamp')]
        const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
          .update(`${id}.${ts}.${body}`)
          .digest('base64')
        if (req.headers.get('webhook-signature') !== `v1,${expected}`) return new Response(null, { status: 401 })
        queueMicrotask(async () => {
          const c2 = await second!
          const pending = (await c2.call('GET', `${b}/changes/pending/`, key)).body.results
          for (const ch of pending) {
            const item = post(ch.external_id, { title: ch.fields.title, modified_at: '2025-12-01T00:00:00Z' })
            const res = await c2.call('POST', `${b}/changes/${ch.id}/result/`, key, {
              status: 'applied',
              external_id: ch.external_id,
              item,
            })
            if (res.body.data?.state === 'applied') applied.push(ch.id)
          }
          if (applied.length >= 2) done()
        })
        return new Response(null, { status: 202 })
      },
    })
    second = serve(freePort())
    const c2 = await second
    await Promise.race([allApplied, Bun.sleep(15_000)])
    expect(applied.sort()).toEqual([lost.id, queued.id].sort())
    const titles = (await c2.call('GET', `${b}/content/`, token)).body.results.map((i: any) => i.title).sort()
    expect(titles).toEqual(['Lost lease', 'Survives'])
    expect(await c2.stop()).toBe(0)
  }, 60_000)
})
