// A pull that fails answers 200 with a recorded error event and one clear sentence. The broken "WordPress"
// sites here are small local fakes on 127.0.0.1; the working path is tested against a real one (pull.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runPull } from '../../src/pull/service'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
let owner: { token: string }
const fakes: ReturnType<typeof Bun.serve>[] = []

/** A fake site answering every request with `answer`. */
function fake(answer: (req: Request) => Response | Promise<Response>, tls?: { cert: string; key: string }) {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: answer, ...(tls && { tls }) })
  fakes.push(server)
  return `${tls ? 'https' : 'http'}://127.0.0.1:${server.port}`
}
const me = () => Response.json({ id: 1, name: 'admin' })

beforeAll(async () => {
  s = await startServer({ 'pull-allow-private': 'true' })
  owner = await s.user()
}, 30_000)
afterAll(async () => {
  for (const f of fakes) f.stop(true)
  await s?.stop()
}, 30_000)

/** Saves credentials for `wpUrl` on a new site and runs "pull now" through the API. */
async function pull(wpUrl: string) {
  const site = await s.site(owner.token)
  const base = `/api/v1/integration/integrations/${site.integrationId}`
  const put = await s.call('PUT', `${base}/pull-credentials/`, {
    token: owner.token,
    body: { wp_url: wpUrl, username: 'admin', app_password: 'pw' },
  })
  expect(put.status).toBe(200)
  const res = await s.call('POST', `${base}/pull/`, { token: owner.token, body: {} })
  expect(res.status).toBe(200)
  expect(res.body.data).toMatchObject({ kind: 'pull', status: 'error' })
  expect(res.body.data.error).not.toMatch(/\n\s+at |Error:/)
  return { error: res.body.data.error as string, integrationId: site.integrationId }
}

describe('POST /integration/integrations/{id}/pull/ against a broken site', () => {
  it('reports an unreachable site', async () => {
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
    const url = `http://127.0.0.1:${closed.port}`
    closed.stop(true)
    expect((await pull(url)).error).toContain('connection refused')
  })

  it('reports a site without the REST API (404 pages on both route styles)', async () => {
    const url = fake(() => new Response('<html>Not found</html>', { status: 404, headers: { 'content-type': 'text/html' } }))
    expect((await pull(url)).error).toMatch(/No WordPress REST API answered .* 404 text\/html/)
  })

  it('reports an answer that is not JSON', async () => {
    const url = fake((req) =>
      new URL(req.url).pathname.endsWith('/users/me')
        ? me()
        : new Response('<html>hello</html>', { headers: { 'content-type': 'text/html' } }),
    )
    expect((await pull(url)).error).toContain('/wp/v2/types with something that is not JSON (text/html)')
  })

  it('reports a server error with WordPress’s own message', async () => {
    const url = fake((req) =>
      new URL(req.url).pathname.endsWith('/users/me')
        ? me()
        : Response.json({ code: 'internal_server_error', message: 'There has been a critical error.' }, { status: 500 }),
    )
    expect((await pull(url)).error).toContain('500 internal_server_error: There has been a critical error.')
  })

  it('reports a 403 for a user without the rights', async () => {
    const url = fake(() =>
      Response.json(
        { code: 'rest_forbidden_context', message: 'Sorry, you are not allowed to edit posts in this post type.' },
        { status: 403 },
      ),
    )
    expect((await pull(url)).error).toContain('administrator or editor')
  })

  it('reports a site that does not answer in time', async () => {
    const url = fake(() => new Promise<Response>(() => {}))
    const site = await s.site(owner.token)
    await s.call('PUT', `/api/v1/integration/integrations/${site.integrationId}/pull-credentials/`, {
      token: owner.token,
      body: { wp_url: url, username: 'admin', app_password: 'pw' },
    })
    const event = await runPull(s.ctx, site.integrationId, { content: false, source: 'admin', limits: { timeoutMs: 300 } })
    expect(event).toMatchObject({ kind: 'pull', status: 'error', error: `127.0.0.1:${new URL(url).port} did not answer within 300 ms.` })
  })

  it('stops a pull that runs past its overall deadline, though each answer comes in time', async () => {
    // Every answer takes 150 ms (well within the per-request timeout); the whole pull may take 400 ms.
    const url = fake(async (req) => {
      await Bun.sleep(150)
      const path = new URL(req.url).pathname
      return path.endsWith('/users/me') ? me() : Response.json({}, { headers: { 'x-wp-total': '0' } })
    })
    const site = await s.site(owner.token)
    await s.call('PUT', `/api/v1/integration/integrations/${site.integrationId}/pull-credentials/`, {
      token: owner.token,
      body: { wp_url: url, username: 'admin', app_password: 'pw' },
    })
    const event = await runPull(s.ctx, site.integrationId, { content: false, source: 'admin', deadlineMs: 400 })
    expect(event).toMatchObject({ kind: 'pull', status: 'error' })
    expect(event.error).toStartWith('The pull was stopped after 0.4 s; what it stored until then is kept.')
  })

  it('refuses an answer larger than the limit', async () => {
    const url = fake(() => Response.json({ id: 1, name: 'x'.repeat(4096) }))
    const site = await s.site(owner.token)
    await s.call('PUT', `/api/v1/integration/integrations/${site.integrationId}/pull-credentials/`, {
      token: owner.token,
      body: { wp_url: url, username: 'admin', app_password: 'pw' },
    })
    const event = await runPull(s.ctx, site.integrationId, { content: false, source: 'admin', limits: { maxBytes: 1024 } })
    expect(event.error).toContain('refused')
    expect(event.error).toContain('more than')
  })

  it('reports an HTTPS certificate that cannot be verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'igny8-tls-'))
    const made = Bun.spawnSync(
      [
        'openssl',
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stderr: 'ignore' },
    )
    expect(made.exitCode).toBe(0)
    const url = fake(me, { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') })
    expect((await pull(url)).error).toMatch(/secure \(TLS\) connection .* failed \(\w*SELF_SIGNED\w*\)/)
  })
})

describe('preconditions of a pull', () => {
  it('answers 400 to "pull now" and to a connection test when no credentials are saved', async () => {
    const site = await s.site(owner.token)
    const base = `/api/v1/integration/integrations/${site.integrationId}`
    const pull = await s.call('POST', `${base}/pull/`, { token: owner.token, body: {} })
    expect(pull.status).toBe(400)
    expect(pull.body.error).toContain('Save pull credentials')
    expect((await s.call('POST', `${base}/pull-credentials/test/`, { token: owner.token, body: {} })).status).toBe(400)
    const half = await s.call('POST', `${base}/pull-credentials/test/`, { token: owner.token, body: { wp_url: 'http://127.0.0.1:1' } })
    expect(half.status).toBe(400)
  })

  it('answers 403 for an inactive site', async () => {
    const site = await s.site(owner.token)
    const base = `/api/v1/integration/integrations/${site.integrationId}`
    await s.call('PUT', `${base}/pull-credentials/`, {
      token: owner.token,
      body: { wp_url: 'http://127.0.0.1:1', username: 'a', app_password: 'b' },
    })
    await s.call('PATCH', `/api/v1/system/sites/${site.siteId}/`, { token: owner.token, body: { is_active: false } })
    expect((await s.call('POST', `${base}/pull/`, { token: owner.token, body: {} })).status).toBe(403)
  })
})
