// The SSRF guard: private targets refused on save, on every pull, and on every redirect. Loopback only: the
// private addresses below are judged before any connection, and the redirecting servers are local fakes.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { isPublicAddress, addressCheck } from '../../src/pull/address-policy'
import { PullError } from '../../src/pull/errors'
import { DEFAULT_LIMITS, safeFetch } from '../../src/pull/safe-fetch'
import { sealPassword } from '../../src/pull/secret-box'
import { pullCredentials } from '../../src/db/schema'
import { startServer, TEST_SECRET, type TestServer } from '../helpers/server'

let s: TestServer
let target: ReturnType<typeof Bun.serve>
let redirector: ReturnType<typeof Bun.serve>
const seenAuth: (string | null)[] = []

beforeAll(async () => {
  s = await startServer() // pull-allow-private off, the default
  target = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => {
      seenAuth.push(req.headers.get('authorization'))
      return Response.json({ id: 1, name: 'admin' })
    },
  })
  redirector = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => {
      const to = new URL(req.url).searchParams.get('to')!
      return new Response(null, { status: 302, headers: { location: to } })
    },
  })
}, 30_000)
afterAll(async () => {
  target?.stop(true)
  redirector?.stop(true)
  await s?.stop()
}, 30_000)

describe('isPublicAddress', () => {
  const table: [string, boolean][] = [
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['127.8.9.10', false],
    ['10.0.0.1', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::a00:1', false],
    ['2002:7f00:1::', false],
    ['2001:db8::1', false],
    ['ff02::1', false],
    ['not-an-ip', false],
  ]
  for (const [address, expected] of table)
    it(`${address} → ${expected ? 'public' : 'refused'}`, () => expect(isPublicAddress(address)).toBe(expected))
})

describe('PUT /integration/integrations/{id}/pull-credentials/ without pull-allow-private', () => {
  const urls = [
    'http://127.0.0.1/',
    'http://10.0.0.1/',
    'http://[::1]/',
    'http://localhost:8080/',
    'http://169.254.169.254/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0.0.0.0/',
  ]
  let owner: { token: string; integrationId: number }
  beforeAll(async () => {
    const u = await s.user()
    owner = { token: u.token, integrationId: (await s.site(u.token)).integrationId }
  }, 30_000)
  for (const wp_url of urls)
    it(`answers 400 naming wp_url for ${wp_url}`, async () => {
      const { token, integrationId } = owner
      const res = await s.call('PUT', `/api/v1/integration/integrations/${integrationId}/pull-credentials/`, {
        token,
        body: { wp_url, username: 'admin', app_password: 'xxxx xxxx xxxx xxxx' },
      })
      expect(res.status).toBe(400)
      expect(res.body.errors.wp_url[0]).toContain('IGNY8_PULL_ALLOW_PRIVATE')
      expect(res.text).not.toContain('xxxx')
    })

  it.each(['not a url', 'ftp://blog.example.com/', ''])('answers 400 naming wp_url for %p, on save and on test', async (wp_url) => {
    for (const path of ['pull-credentials/', 'pull-credentials/test/']) {
      const res = await s.call(path.endsWith('test/') ? 'POST' : 'PUT', `/api/v1/integration/integrations/${owner.integrationId}/${path}`, {
        token: owner.token,
        body: { wp_url, username: 'admin', app_password: 'x' },
      })
      expect(res.status).toBe(400)
      expect(Object.keys(res.body.errors)).toEqual(['wp_url'])
    }
  })

  it('answers 400 for a URL carrying a user name and password', async () => {
    const res = await s.call('PUT', `/api/v1/integration/integrations/${owner.integrationId}/pull-credentials/`, {
      token: owner.token,
      body: { wp_url: 'https://admin:secret@blog.example.com/', username: 'admin', app_password: 'x' },
    })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual(['wp_url'])
  })
})

describe('a pull re-checks the target', () => {
  it('records an error when saved credentials point at a private address', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    // As if saved while private targets were allowed.
    await s.db
      .insert(pullCredentials)
      .values({
        integrationId: site.integrationId,
        wpUrl: `http://127.0.0.1:${target.port}`,
        username: 'admin',
        appPasswordEnc: sealPassword(TEST_SECRET, site.integrationId, 'pw'),
      })
      .run()
    const res = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/pull/`, { token: u.token, body: {} })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ kind: 'pull', status: 'error' })
    expect(res.body.data.error).toContain('loopback, private or link-local')
    expect(seenAuth).toEqual([]) // refused before connecting
  })
})

describe('redirects', () => {
  const policy = { ...DEFAULT_LIMITS, timeoutMs: 5000, allowed: (address: string, hop: number) => hop === 0 || isPublicAddress(address) }
  const via = (to: string) => new URL(`http://127.0.0.1:${redirector.port}/?to=${encodeURIComponent(to)}`)

  for (const to of ['http://127.0.0.1:1/', 'http://[::1]/', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/'])
    it(`refuses a redirect to ${to}`, async () => {
      const error = await safeFetch(via(to), {}, policy).catch((e) => e)
      expect(error).toBeInstanceOf(PullError)
      expect(error.code).toBe('address_refused')
    })

  it('gives up after five redirects', async () => {
    let loop = via('http://127.0.0.1:1/')
    for (let i = 0; i < 6; i++) loop = via(loop.toString())
    const error = await safeFetch(loop, {}, { ...policy, allowed: addressCheck(true) }).catch((e) => e)
    expect(error).toMatchObject({ code: 'too_many_redirects' })
    expect(error.message).toContain('Too many redirects')
  })

  it('follows a redirect on the same host with the Application Password, and drops it for another host', async () => {
    seenAuth.length = 0
    const headers = { authorization: 'Basic c2VjcmV0' }
    const same = await safeFetch(via(`http://127.0.0.1:${target.port}/x`), headers, { ...policy, allowed: addressCheck(true) })
    expect(same.status).toBe(200)
    await safeFetch(via(`http://localhost:${target.port}/x`), headers, { ...policy, allowed: addressCheck(true) })
    expect(seenAuth).toEqual(['Basic c2VjcmV0', null])
  })
})
