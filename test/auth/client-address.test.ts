// Behind trusted proxies the login limit keys on the address our proxies saw, not on what the client forged,
// and an IPv6 client is one client per /64 (it owns the whole block).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { resolveConfig } from '../../src/config'
import { startServer, TEST_SECRET, type TestServer } from '../helpers/server'

let s: TestServer
let twoHops: TestServer
beforeAll(async () => {
  s = await startServer({ 'trust-proxy': 'true' })
  twoHops = await startServer({ 'trust-proxy': 'true', 'trusted-proxies': '2' })
}, 30_000)
afterAll(async () => {
  await s.stop()
  await twoHops.stop()
}, 30_000)

/** Sends wrong logins (a new email each time) until one is refused; answers how many got through. */
async function untilLimited(server: TestServer, forwardedFor: (i: number) => string): Promise<number> {
  for (let i = 0; i < 40; i++) {
    const res = await server.call('POST', '/api/v1/auth/login/', {
      body: { email: `nobody${i}-${Math.random()}@example.com`, password: 'wrong-password' },
      headers: { 'x-forwarded-for': forwardedFor(i) },
    })
    if (res.status === 429) return i
    expect(res.status).toBe(401)
  }
  return Infinity
}

const wrongLogin = (server: TestServer, forwardedFor: string) =>
  server.call('POST', '/api/v1/auth/login/', {
    body: { email: 'someone@example.com', password: 'wrong-password' },
    headers: { 'x-forwarded-for': forwardedFor },
  })

describe('POST /auth/login/ behind a trusted proxy', () => {
  it('limits one client even when it forges a new first X-Forwarded-For hop each time', async () => {
    expect(await untilLimited(s, (i) => `198.51.100.${i}, 203.0.113.7`)).toBe(30)
    // Another client behind the same proxy is not affected.
    expect((await wrongLogin(s, '203.0.113.8')).status).toBe(401)
  }, 60_000)

  it('counts an IPv6 client per /64, whatever the low 64 bits', async () => {
    expect(await untilLimited(s, (i) => `2001:db8:aaaa:1:${i.toString(16)}::${i + 1}`)).toBe(30)
    expect((await wrongLogin(s, '2001:db8:aaaa:1::ffff')).status).toBe(429)
    // The neighbouring /64 is another client.
    expect((await wrongLogin(s, '2001:db8:aaaa:2::1')).status).toBe(401)
  }, 60_000)

  it('with --trusted-proxies 2, takes the second entry from the right', async () => {
    // client-forged, the client as our outer proxy saw it, our outer proxy as the inner one saw it
    expect(await untilLimited(twoHops, (i) => `198.51.100.${i}, 203.0.113.50, 10.0.0.${i}`)).toBe(30)
    expect((await wrongLogin(twoHops, '203.0.113.51, 10.0.0.1')).status).toBe(401)
  }, 60_000)
})

describe('--trusted-proxies', () => {
  it('comes from IGNY8_TRUSTED_PROXIES, defaults to 1 and refuses 0', () => {
    const base = { 'data-dir': '/tmp', secret: TEST_SECRET }
    expect(resolveConfig(base, {}).trustedProxies).toBe(1)
    expect(resolveConfig(base, { IGNY8_TRUSTED_PROXIES: '3' }).trustedProxies).toBe(3)
    expect(() => resolveConfig({ ...base, 'trusted-proxies': '0' }, {})).toThrow('--trusted-proxies')
  })
})
