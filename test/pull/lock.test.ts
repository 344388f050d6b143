// "A pull of this integration is already running" holds across processes on one data dir (the lock is a row in
// app_state, not memory), and a lock whose holder died is taken over.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { writeState } from '../../src/cron/app-state'
import { takePullLock } from '../../src/pull/pull-lock'
import { isPullRunning, runPull } from '../../src/pull/service'
import { sql } from 'drizzle-orm'
import { allRows } from '../../src/db/client'
import { startServer, TEST_SECRET, type TestServer } from '../helpers/server'
import { fakeWordPress, type FakeWordPress } from './fake-wordpress'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>

let s: TestServer
let owner: { token: string }
let wp: FakeWordPress
beforeAll(async () => {
  s = await startServer({ 'pull-allow-private': 'true' })
  owner = await s.user()
  wp = fakeWordPress({ posts: 3 })
}, 30_000)
afterAll(async () => {
  wp?.stop()
  await s?.stop()
}, 60_000)

async function pullableSite() {
  const site = await s.site(owner.token)
  const body = { wp_url: wp.url, username: 'admin', app_password: 'pw' }
  expect(
    (await s.call('PUT', `/api/v1/integration/integrations/${site.integrationId}/pull-credentials/`, { token: owner.token, body })).status,
  ).toBe(200)
  return site
}

/** `igny8 cron run-now` in a child process over the same database, without blocking this process's fake WordPress. */
async function cronRunNow() {
  const database = s.ctx.config.databaseUrl ? ['--database-url', s.ctx.config.databaseUrl] : []
  const proc = Bun.spawn(
    [process.execPath, ENTRY, 'cron', 'run-now', '--data-dir', s.dir, ...database, '--secret', TEST_SECRET, '--pull-allow-private'],
    { env, stdout: 'pipe', stderr: 'pipe' },
  )
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000)
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  clearTimeout(timer)
  return { code, stdout, stderr }
}

describe('the pull lock', () => {
  it('makes `igny8 cron run-now` beside a running pull skip that integration instead of pulling it twice', async () => {
    const site = await pullableSite()
    // This process's pull waits inside WordPress (its post types never come) until released.
    let hold = true
    wp.state.hang = (path) => hold && path === '/wp/v2/types'
    const first = runPull(s.ctx, site.integrationId, { content: false, source: 'admin', limits: { timeoutMs: 8000 } })
    for (let i = 0; i < 100 && !wp.state.requests.some((r) => r.startsWith('/wp/v2/types')); i++) await Bun.sleep(20)
    hold = false // from now on WordPress answers at once: a second pull would succeed
    const typesBefore = wp.state.requests.filter((r) => r.startsWith('/wp/v2/types')).length

    const cron = await cronRunNow()
    expect(cron.code).toBe(0)
    expect(cron.stdout).toMatch(
      new RegExp(`#${site.integrationId} \\S+: skipped — Not pulled: A pull of this integration is already running`),
    )
    expect(wp.state.requests.filter((r) => r.startsWith('/wp/v2/types')).length).toBe(typesBefore) // WordPress was not asked again

    wp.state.hang = undefined
    const stuck = await Promise.race([first, Bun.sleep(20_000).then(() => null)])
    // The held request ends with its timeout; the lock goes with it.
    expect(stuck).not.toBeNull()
    expect(await isPullRunning(s.db, site.integrationId)).toBe(false)
  }, 60_000)

  it('answers 409 while a live holder’s lock row is there, and takes over a lock whose process is gone', async () => {
    const site = await pullableSite()
    const key = `pull_lock:${site.integrationId}`
    const live = {
      owner: 'other',
      pid: process.pid,
      host: require('node:os').hostname(),
      heartbeat: Date.now(),
      started_at: new Date().toISOString(),
    }
    await writeState(s.db, key, JSON.stringify(live))
    const busy = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/pull/`, { token: owner.token, body: {} })
    expect(busy.status).toBe(409)
    expect(await isPullRunning(s.db, site.integrationId)).toBe(true)

    // A process that has exited: its lock (heartbeat still fresh) no longer counts.
    const gone = Bun.spawn(['true'])
    await gone.exited
    await writeState(s.db, key, JSON.stringify({ ...live, pid: gone.pid }))
    expect(await isPullRunning(s.db, site.integrationId)).toBe(false)
    const taken = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/pull/`, { token: owner.token, body: {} })
    expect([taken.status, taken.body.data?.status]).toEqual([200, 'ok'])

    // A holder that stopped beating its heart (hung, or on another machine) is taken over too.
    await writeState(s.db, key, JSON.stringify({ ...live, host: 'elsewhere', heartbeat: Date.now() - 10 * 60_000 }))
    const late = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/pull/`, { token: owner.token, body: {} })
    expect(late.status).toBe(200)
    expect(await allRows(s.db, sql`select key from app_state where key = ${key}`)).toEqual([]) // released
  })

  it('keeps its row fresh with heartbeats, refuses a second taker meanwhile, and releases after a heartbeat', async () => {
    const site = await pullableSite()
    const key = `pull_lock:${site.integrationId}`
    const heartbeatOf = async () =>
      JSON.parse((await allRows<{ value: string }>(s.db, sql`select value from app_state where key = ${key}`))[0]!.value)
        .heartbeat as number
    const lock = (await takePullLock(s.db, site.integrationId, 30))!
    expect(lock).not.toBeNull()
    const first = await heartbeatOf()
    await Bun.sleep(150)
    expect(await heartbeatOf()).toBeGreaterThan(first)
    expect(await takePullLock(s.db, site.integrationId)).toBeNull()
    await lock.release()
    expect(await allRows(s.db, sql`select key from app_state where key = ${key}`)).toEqual([])
  })
})
