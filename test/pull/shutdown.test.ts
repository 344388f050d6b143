// SIGTERM stops a running "Sync now" pull cleanly: `igny8 serve` (a real child process) exits promptly instead of
// waiting for WordPress, and the pull's event records that it was stopped by the shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { sql } from 'drizzle-orm'
import { dbFile } from '../../src/config'
import { allRows, closeDb, openDb } from '../../src/db/client'
import { login, send } from '../admin/client'
import { sharedPostgres } from '../helpers/postgres'
import { TEST_ENGINE, TEST_SECRET, type TestServer } from '../helpers/server'
import { fakeWordPress } from './fake-wordpress'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>
const dir = mkdtempSync(join(tmpdir(), 'igny8-shutdown-'))
const wp = fakeWordPress({ posts: 1 })
let child: Subprocess<'ignore', 'pipe', 'pipe'> | undefined
// The data dir's SQLite file, or (IGNY8_TEST_ENGINE=postgres) a fresh database of the suite's PostgreSQL.
let databaseUrl: string | undefined
const database = () => (databaseUrl ? ['--database-url', databaseUrl] : [])

beforeAll(async () => {
  if (TEST_ENGINE === 'postgres') databaseUrl = await (await sharedPostgres()).createDatabase()
}, 60_000)

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  wp.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function serve() {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = probe.port!
  probe.stop(true)
  const args = [
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
  ]
  child = Bun.spawn([process.execPath, ENTRY, ...args], { env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`${base}/api/v1/health/`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) return { base } as TestServer
    await Bun.sleep(100)
  }
  throw new Error('igny8 serve did not start')
}

describe('SIGTERM during an admin pull', () => {
  it('stops the pull, records it as stopped, and exits promptly', async () => {
    const made = Bun.spawnSync(
      [
        process.execPath,
        ENTRY,
        'user',
        'create',
        '--email',
        'owner@example.com',
        '--password',
        'correct horse battery',
        '--data-dir',
        dir,
        ...database(),
        '--secret',
        TEST_SECRET,
      ],
      { env },
    )
    expect(made.exitCode).toBe(0)
    const s = await serve()
    const token = (
      await (
        await fetch(`${s.base}/api/v1/auth/login/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'owner@example.com', password: 'correct horse battery' }),
        })
      ).json()
    ).data.access as string
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${s.base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json())
    const site = (await api('POST', '/system/sites/', { name: 'Blog', url: 'https://blog.example.com' })).data
    const integration = (
      await fetch(`${s.base}/api/v1/integration/integrations/?site=${site.id}&platform=wordpress`, {
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.json())
    ).results[0]
    await api('PUT', `/integration/integrations/${integration.id}/pull-credentials/`, {
      wp_url: wp.url,
      username: 'admin',
      app_password: 'pw',
    })

    // WordPress never answers the post types (until the request is given up): the pull waits there.
    wp.state.hang = (path) => path === '/wp/v2/types'
    const session = await login(s, 'owner@example.com', 'correct horse battery')
    const sync = send(s, 'POST', `/sites/${site.id}/pull`, {
      session,
      headers: { 'hx-request': 'true', 'x-csrf-token': session.csrf },
    }).catch(() => null)
    for (let i = 0; i < 100 && !wp.state.requests.includes('/wp/v2/types?context=edit'); i++) await Bun.sleep(50)
    expect(wp.state.requests).toContain('/wp/v2/types?context=edit')

    const t0 = Date.now()
    child!.kill('SIGTERM')
    const code = await Promise.race([child!.exited, Bun.sleep(8000).then(() => 'still running')])
    expect(code).toBe(0)
    expect(Date.now() - t0).toBeLessThan(8000) // not the 15 s a WordPress request may take
    await sync

    const after = openDb(databaseUrl ?? dbFile({ dataDir: dir }))
    const [event] = await allRows<{ status: string; error: string }>(after, sql`select status, error from sync_events where kind = 'pull'`)
    await closeDb(after)
    expect(event?.status).toBe('error')
    expect(event?.error).toContain('shutting down')
  }, 60_000)
})
