// The compiled executable end to end: CLI behaviour, then the seeds' plugin flow over real HTTP, then a clean SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import pkg from '../../package.json'
import { seedStructure } from '../helpers/server'

const BIN = join(import.meta.dir, '..', '..', 'dist', 'igny8')
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (bun scripts/build.ts) before this test`)

// The child must not inherit IGNY8_* settings from whoever runs the tests.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>
const tmp = mkdtempSync(join(tmpdir(), 'igny8-smoke-'))
const dataDir = join(tmp, 'data')
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' }

/** Runs the executable to completion (bounded), answering its exit code and output. */
function run(args: string[], dir = dataDir) {
  const r = Bun.spawnSync([BIN, ...args, ...(dir ? ['--data-dir', dir] : [])], { cwd: tmp, env, timeout: 15_000 })
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

function freePort(): number {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = probe.port!
  probe.stop(true)
  return port
}

let proc: Subprocess<'ignore', 'pipe', 'pipe'>
let log: Promise<string>
let port: number
let base: string
let created: ReturnType<typeof run>
const requestIds: string[] = []

type Res = { status: number; body: any; headers: Headers }
/** One HTTP call to the executable; every answer must carry an X-Request-Id. */
async function call(method: string, path: string, o: { token?: string; body?: unknown } = {}): Promise<Res> {
  const headers: Record<string, string> = {}
  if (o.token) headers.authorization = `Bearer ${o.token}`
  if (o.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) })
  const id = res.headers.get('x-request-id')
  expect(id).toBeTruthy()
  requestIds.push(id!)
  return { status: res.status, body: await res.json(), headers: res.headers }
}

beforeAll(async () => {
  created = run(['user', 'create', '--email', ADMIN.email, '--password', ADMIN.password, '--admin'])
  port = freePort()
  base = `http://127.0.0.1:${port}`
  proc = Bun.spawn([BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: tmp,
    env,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  log = new Response(proc.stdout).text() // read as it comes, so a full pipe never blocks the server
  const deadline = Date.now() + 15_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`igny8 serve exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`)
    const ok = await fetch(`${base}/api/v1/health/`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) throw new Error('igny8 serve did not answer /api/v1/health/ within 15 s')
    await Bun.sleep(100)
  }
}, 30_000)

afterAll(() => {
  if (proc && proc.exitCode === null) process.kill(proc.pid, 'SIGKILL')
  rmSync(tmp, { recursive: true, force: true })
})

describe('igny8 (command line)', () => {
  it('answers --help with exit 0 and the options with their environment variables', () => {
    const r = run(['--help'], '')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('IGNY8_PORT')
    expect(r.stdout).toContain('--data-dir')
  })

  it('answers --version with the package version', () => {
    const r = run(['--version'], '')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${pkg.version}\n`)
  })

  it('exits non-zero with one line on stderr for an unknown flag', () => {
    const r = run(['--no-such-flag'], '')
    expect(r.code).not.toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('--no-such-flag')
  })

  it('creates the admin with user create and keeps the generated secret at mode 0600', () => {
    expect(created.code).toBe(0)
    expect(created.stdout).toBe(`created admin ${ADMIN.email} (id 1)\n`)
    expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600)
  })

  it('exits non-zero saying "already in use" when the port is taken by another igny8', async () => {
    const second = Bun.spawn([BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(tmp, 'second')], {
      cwd: tmp,
      env,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const outcome = await Promise.race([second.exited, Bun.sleep(4000).then(() => 'still serving on the taken port')])
    // Stop it ourselves (by pid) so a failure here cannot take the first server down with it.
    if (second.exitCode === null) process.kill(second.pid, 'SIGKILL')
    const stderr = await new Response(second.stderr).text()
    expect(outcome).not.toBe('still serving on the taken port')
    expect(outcome).not.toBe(0)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stderr).toContain('already in use')
  }, 10_000)

  it('exits non-zero with one clear line when the data dir cannot be created', () => {
    writeFileSync(join(tmp, 'plain-file'), 'not a directory')
    const r = run(['serve', '--host', '127.0.0.1', '--port', '0'], join(tmp, 'plain-file', 'data'))
    expect(r.code).not.toBe(0)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(join(tmp, 'plain-file', 'data'))
    expect(lines[0]).toContain('not writable')
  }, 20_000)
})

describe('the plugin flow against igny8 serve', () => {
  const st: { access?: string; siteId?: number; key?: string; integrationId?: number } = {}
  const integ = () => `/api/v1/integration/integrations/${st.integrationId}`

  it('answers GET /api/v1/health/ with status ok and the version', async () => {
    const res = await call('GET', '/api/v1/health/')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      success: true,
      data: { status: 'ok', version: pkg.version, db: 'ok', engine: 'sqlite', uptime_s: expect.any(Number) },
    })
  })

  it('answers POST /auth/login/ with tokens for the admin made by user create', async () => {
    const res = await call('POST', '/api/v1/auth/login/', { body: ADMIN })
    expect(res.status).toBe(200)
    expect(res.body.data.user).toEqual({ id: 1, email: ADMIN.email, name: '' })
    st.access = res.body.data.access
  })

  it('answers POST /system/sites/ with the new site, then POST …/api-keys/ with a key shown once', async () => {
    const site = await call('POST', '/api/v1/system/sites/', {
      token: st.access,
      body: { name: 'Smoke blog', url: 'https://smoke.example.com' },
    })
    expect(site.status).toBe(201)
    expect(site.body.data).toMatchObject({ name: 'Smoke blog', url: 'https://smoke.example.com', is_active: true })
    st.siteId = site.body.data.id
    const key = await call('POST', `/api/v1/system/sites/${st.siteId}/api-keys/`, { token: st.access, body: {} })
    expect(key.status).toBe(201)
    expect(key.body.data.key).toStartWith('igny8_sk_')
    expect(key.body.data.key).toStartWith(key.body.data.prefix)
    st.key = key.body.data.key
  })

  it('answers GET /system/sites/ with the key: exactly its site, so results[0].id is the site id', async () => {
    const res = await call('GET', '/api/v1/system/sites/', { token: st.key })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ success: true, count: 1, next: null, previous: null })
    expect(res.body.results.map((x: { id: number }) => x.id)).toEqual([st.siteId!])
  })

  it('answers GET /integration/integrations/?site=&platform=wordpress with the key: the one WordPress integration', async () => {
    const res = await call('GET', `/api/v1/integration/integrations/?site=${st.siteId}&platform=wordpress`, { token: st.key })
    expect(res.status).toBe(200)
    expect(res.body.count).toBe(1)
    expect(res.body.results[0]).toMatchObject({ site: st.siteId, platform: 'wordpress', is_active: true, config_json: {} })
    st.integrationId = res.body.results[0].id
  })

  it('answers the seed push with exactly the seed response', async () => {
    const res = await call('POST', `${integ()}/update-structure/`, { token: st.key, body: seedStructure() })
    expect(res.status).toBe(200)
    expect(res.body).toStrictEqual({
      success: true,
      data: {
        message: 'Site structure updated successfully',
        post_types_count: 3,
        taxonomies_count: 3,
        last_structure_fetch: '2025-11-22T10:00:00Z',
      },
    })
  })

  it('answers content-types with the seed labels and counts and synced_count 0 everywhere', async () => {
    const res = await call('GET', `${integ()}/content-types/`, { token: st.key })
    expect(res.status).toBe(200)
    const d = res.body.data
    const pick = (m: Record<string, any>) =>
      Object.fromEntries(
        Object.entries(m).map(([k, e]) => [
          k,
          { label: e.label, count: e.count, synced_count: e.synced_count, enabled: e.enabled, fetch_limit: e.fetch_limit },
        ]),
      )
    const seed = seedStructure()
    const expected = (m: Record<string, { label: string; count: number; enabled: boolean; fetch_limit: number }>) =>
      Object.fromEntries(Object.entries(m).map(([k, e]) => [k, { ...e, synced_count: 0 }]))
    expect(pick(d.post_types)).toEqual(expected(seed.post_types))
    expect(pick(d.taxonomies)).toEqual(expected(seed.taxonomies))
    expect(d).toMatchObject({ last_structure_fetch: '2025-11-22T10:00:00Z', plugin_connection_enabled: true, two_way_sync_enabled: true })
  })

  it('answers a push without timestamp with a fresh ISO last_structure_fetch', async () => {
    const { timestamp: _, ...body } = seedStructure()
    const sent = Date.now()
    const res = await call('POST', `${integ()}/update-structure/`, { token: st.key, body })
    expect(res.status).toBe(200)
    const at = res.body.data.last_structure_fetch as string
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
    expect(Math.abs(Date.parse(at) - sent)).toBeLessThan(60_000)
    const ct = await call('GET', `${integ()}/content-types/`, { token: st.key })
    expect(ct.body.data.last_structure_fetch).toBe(at)
  })

  it('gave every answer its own X-Request-Id, errors and unknown routes included', async () => {
    expect((await call('GET', '/api/v1/auth/me/')).status).toBe(401)
    expect((await call('GET', '/api/v1/no-such-route/')).status).toBe(404)
    expect(requestIds.length).toBeGreaterThanOrEqual(11)
    expect(new Set(requestIds).size).toBe(requestIds.length)
  })

  it('serves the docs assets from the files embedded in the executable, byte for byte', async () => {
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      const res = await fetch(`${base}/api/v1/docs/assets/${file}`)
      expect(res.status).toBe(200)
      expect(
        Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(import.meta.dir, '..', '..', 'node_modules/swagger-ui-dist', file))),
      ).toBe(true)
    }
  })

  /** How many descriptors of the server hold its database file open (one per connection). */
  const handles = () =>
    readdirSync(`/proc/${proc.pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${proc.pid}/fd/${fd}`) === join(dataDir, 'igny8.db')
      } catch {
        return false // closed meanwhile
      }
    }).length

  it('runs its embedded WAL checkpoint worker: a second connection holds the database file open', async () => {
    // src/db/checkpointer.ts starts it from the executable's embedded files; were it missing, only the server's
    // own connection would have igny8.db open.
    let seen = 0
    for (const deadline = Date.now() + 5000; (seen = handles()) < 2 && Date.now() < deadline;) await Bun.sleep(50)
    expect(seen).toBe(2)
  })

  it('stores a content batch and finds it by a search (run by the read worker embedded in the executable)', async () => {
    const items = [1, 2, 3].map((i) => ({
      external_id: i,
      post_type: 'post',
      title: `Smoke post ${i}`,
      slug: `smoke-post-${i}`,
      status: 'publish',
      url: `https://blog.example.com/smoke-post-${i}/`,
      modified_at: '2025-11-22T10:00:00Z',
    }))
    expect((await call('POST', `${integ()}/sync-content/`, { token: st.key, body: { items } })).status).toBe(200)
    const found = await call('GET', `${integ()}/content/?search=post%202`, { token: st.key })
    expect(found.status).toBe(200)
    expect([found.body.count, found.body.results.map((r: { external_id: number }) => r.external_id)]).toEqual([1, [2]])
    // The read worker's own connection, beside the server's and the checkpoint worker's.
    expect(handles()).toBe(3)
  })

  it('exits 0 within 5 s of SIGTERM, having logged JSON lines with request_id and no secrets', async () => {
    process.kill(proc.pid, 'SIGTERM')
    const code = await Promise.race([proc.exited, Bun.sleep(5000).then(() => 'still running')])
    expect(code).toBe(0)
    const text = await log
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    const logged = new Set(lines.map((l) => l.request_id).filter(Boolean))
    for (const id of requestIds) expect(logged.has(id)).toBe(true)
    expect(text).not.toContain(ADMIN.password)
    expect(text).not.toContain(st.key!)
  }, 10_000)
})
