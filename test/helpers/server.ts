// Starts the real app on a loopback port over a fresh SQLite file, and speaks HTTP to it. With
// IGNY8_TEST_ENGINE=postgres (`npm test` runs the API suites a second time so), over a fresh database of the
// suite's own PostgreSQL instead (test/helpers/postgres.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, createContext } from '../../src/app'
import { createUser, OPERATOR } from '../../src/users/service'
import { dbTarget, resolveConfig, type ConfigInput } from '../../src/config'
import { closeDb, openDb } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { silentLogger, type Logger } from '../../src/log'
import { sharedPostgres } from './postgres'

export type Res<T = any> = { status: number; headers: Headers; body: T; text: string }
export type CallOptions = { token?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> }

/** Which engine startServer uses: the embedded SQLite unless IGNY8_TEST_ENGINE=postgres. */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.IGNY8_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite'

export const TEST_SECRET = 'test-secret-0123456789-0123456789-abcdef'

export async function startServer(overrides: Partial<Record<string, string>> = {}, opts: { log?: Logger } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'igny8-test-'))
  const databaseUrl = TEST_ENGINE === 'postgres' ? await (await sharedPostgres()).createDatabase() : undefined
  const config = resolveConfig({ 'data-dir': dir, secret: TEST_SECRET, 'database-url': databaseUrl, ...overrides }, {})
  const db = openDb(dbTarget(config))
  await migrateDb(db)
  const ctx = createContext(db, config, opts.log ?? silentLogger)
  const app = (await createApp(ctx)).listen({ hostname: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${app.server!.port}`

  async function call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...o.headers }
    if (o.token) headers.authorization = `Bearer ${o.token}`
    let body: string | undefined
    if (o.raw !== undefined) body = o.raw
    else if (o.body !== undefined) body = JSON.stringify(o.body)
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json'
    const res = await fetch(base + path, { method, headers, body })
    const text = await res.text()
    let parsed: any = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed, text }
  }

  let userSeq = 0
  /** Creates a user and logs in; answers its access token and ids. */
  async function user(o: { admin?: boolean; email?: string; password?: string } = {}) {
    const email = o.email ?? `user${++userSeq}-${Math.random().toString(36).slice(2, 8)}@example.com`
    const password = o.password ?? 'correct horse battery'
    const u = await createUser(db, OPERATOR, { email, password, isAdmin: o.admin ?? false })
    const login = await call('POST', '/api/v1/auth/login/', { body: { email, password } })
    return { id: u.id, email, password, token: login.body.data.access as string, refresh: login.body.data.refresh as string }
  }

  /** A user's site with its WordPress integration and an API key. */
  async function site(token: string, name = 'Blog') {
    const s = await call('POST', '/api/v1/system/sites/', { token, body: { name, url: 'https://blog.example.com' } })
    const k = await call('POST', `/api/v1/system/sites/${s.body.data.id}/api-keys/`, { token, body: {} })
    const i = await call('GET', `/api/v1/integration/integrations/?site=${s.body.data.id}&platform=wordpress`, { token })
    return {
      siteId: s.body.data.id as number,
      key: k.body.data.key as string,
      keyId: k.body.data.id as number,
      integrationId: i.body.results[0].id as number,
    }
  }

  return {
    base,
    dir,
    db,
    ctx,
    app,
    call,
    user,
    site,
    async stop() {
      await app.stop(true)
      await closeDb(db)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
export type TestServer = Awaited<ReturnType<typeof startServer>>

/** The seed document's structure payload. */
export const seedStructure = () => ({
  post_types: {
    post: { label: 'Posts', count: 123, enabled: true, fetch_limit: 100 },
    page: { label: 'Pages', count: 12, enabled: true, fetch_limit: 100 },
    product: { label: 'Products', count: 456, enabled: false, fetch_limit: 50 },
  },
  taxonomies: {
    category: { label: 'Categories', count: 25, enabled: true, fetch_limit: 100 },
    post_tag: { label: 'Tags', count: 102, enabled: true, fetch_limit: 100 },
    product_cat: { label: 'Product Categories', count: 15, enabled: false, fetch_limit: 50 },
  },
  plugin_connection_enabled: true,
  two_way_sync_enabled: true,
  timestamp: '2025-11-22T10:00:00Z',
})
