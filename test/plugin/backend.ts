// The compiled backend (dist/igny8) as a separate process on a loopback port, the way a WordPress site
// meets it: users from the CLI, everything else over HTTP. It can be stopped and started again on the
// same data dir. Built by `npm test` (scripts/build.ts) before the suite runs.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

export const BIN = join(import.meta.dir, '..', '..', 'dist', 'igny8')

// The child must not inherit IGNY8_* settings from whoever runs the tests.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>

export type Res = { status: number; body: any }

function freePort(): number {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = probe.port!
  probe.stop(true)
  return port
}

export async function startBackend(args: string[] = []) {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (bun scripts/build.ts) first`)
  const dir = mkdtempSync(join(tmpdir(), 'igny8-plugin-backend-'))
  const port = freePort()
  const base = `http://127.0.0.1:${port}`
  let proc: Subprocess<'ignore', 'ignore', 'pipe'> | null = null

  async function start() {
    proc = Bun.spawn([BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, ...args], {
      cwd: dir,
      env,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    })
    const deadline = Date.now() + 20_000
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`igny8 serve exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`)
      const ok = await fetch(`${base}/api/v1/health/`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) return
      if (Date.now() > deadline) throw new Error('igny8 serve did not answer /api/v1/health/ within 20 s')
      await Bun.sleep(100)
    }
  }

  async function stop() {
    const p = proc
    proc = null
    if (p && p.exitCode === null) {
      p.kill('SIGTERM')
      const done = await Promise.race([p.exited.then(() => true), Bun.sleep(5000).then(() => false)])
      if (!done) p.kill('SIGKILL')
    }
  }

  async function call(method: string, path: string, o: { token?: string; body?: unknown } = {}): Promise<Res> {
    const headers: Record<string, string> = {}
    if (o.token) headers.authorization = `Bearer ${o.token}`
    if (o.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) })
    const text = await res.text()
    let body: any = text
    try {
      body = JSON.parse(text)
    } catch {}
    return { status: res.status, body }
  }

  let seq = 0
  /** A user created with the CLI, logged in over HTTP. */
  async function user() {
    const email = `owner${++seq}-${Math.random().toString(36).slice(2, 8)}@example.com`
    const password = `pw-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
    const r = Bun.spawnSync([BIN, 'user', 'create', '--email', email, '--password', password, '--data-dir', dir], {
      cwd: dir,
      env,
      timeout: 15_000,
    })
    if (r.exitCode !== 0) throw new Error(`igny8 user create failed: ${r.stderr.toString()}`)
    const login = await call('POST', '/api/v1/auth/login/', { body: { email, password } })
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`)
    return { email, password, token: login.body.data.access as string }
  }

  /** A site at `url` with its WordPress integration and an API key. */
  async function site(token: string, url: string) {
    const s = await call('POST', '/api/v1/system/sites/', { token, body: { name: 'Test WordPress', url } })
    const k = await call('POST', `/api/v1/system/sites/${s.body.data.id}/api-keys/`, { token, body: {} })
    const i = await call('GET', `/api/v1/integration/integrations/?site=${s.body.data.id}&platform=wordpress`, { token })
    return { siteId: s.body.data.id as number, key: k.body.data.key as string, integrationId: i.body.results[0].id as number }
  }

  /** The plugin zip as an admin downloads it from the executable: signs in through the login form first. */
  async function downloadPlugin(u: { email: string; password: string }): Promise<Buffer> {
    const form = new URLSearchParams({ email: u.email, password: u.password })
    const login = await fetch(`${base}/login`, { method: 'POST', body: form, redirect: 'manual' })
    if (login.status !== 303) throw new Error(`admin login failed: ${login.status}`)
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    const zip = await fetch(`${base}/plugin/igny8-sync.zip`, { headers: { cookie } })
    if (zip.status !== 200 || zip.headers.get('content-type') !== 'application/zip')
      throw new Error(`plugin download answered ${zip.status}`)
    return Buffer.from(await zip.arrayBuffer())
  }

  await start()
  return {
    downloadPlugin,
    base,
    api: `${base}/api/v1`,
    dir,
    call,
    user,
    site,
    start,
    stop,
    async close() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
export type Backend = Awaited<ReturnType<typeof startBackend>>
