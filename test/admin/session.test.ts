// The admin session cookie: its flags, Secure only over HTTPS (X-Forwarded-Proto believed only behind
// a trusted proxy), and sessions ending at logout, password change and deactivation.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession, login, post, send } from './client'

const flagsOf = (setCookie: string | null) => (setCookie ?? '').split(';').map((p) => p.trim().toLowerCase())

async function loginCookie(s: TestServer, headers: Record<string, string> = {}) {
  const u = await s.user()
  const res = await send(s, 'POST', '/login', { form: { email: u.email, password: u.password }, headers })
  expect(res.status).toBe(303)
  return flagsOf(res.headers.get('set-cookie'))
}

describe('the session cookie', () => {
  let s: TestServer
  let proxied: TestServer
  beforeAll(async () => {
    s = await startServer()
    proxied = await startServer({ 'trust-proxy': 'true' })
  }, 30_000)
  afterAll(async () => {
    await s.stop()
    await proxied.stop()
  }, 30_000)

  it('is HttpOnly, SameSite=Lax, Path=/ and not Secure over plain HTTP', async () => {
    const flags = await loginCookie(s)
    expect(flags[0]).toMatch(/^igny8_session=[\w-]{40,}$/)
    expect(flags).toContain('httponly')
    expect(flags).toContain('samesite=lax')
    expect(flags).toContain('path=/')
    expect(flags).not.toContain('secure')
  })

  it('ignores X-Forwarded-Proto: https when the proxy is not trusted', async () => {
    expect(await loginCookie(s, { 'x-forwarded-proto': 'https' })).not.toContain('secure')
  })

  it('is Secure when a trusted proxy says the browser used HTTPS', async () => {
    const flags = await loginCookie(proxied, { 'x-forwarded-proto': 'https' })
    expect(flags).toContain('secure')
    expect(flags).toContain('httponly')
    expect(flags).toContain('samesite=lax')
  })

  it('is not Secure behind a trusted proxy that says HTTP', async () => {
    expect(await loginCookie(proxied, { 'x-forwarded-proto': 'http' })).not.toContain('secure')
  })

  it('accepts the origin a trusted proxy forwards (X-Forwarded-Host/-Proto) as same-origin', async () => {
    const u = await proxied.user()
    const res = await send(proxied, 'POST', '/login', {
      form: { email: u.email, password: u.password },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sync.example.com', origin: 'https://sync.example.com' },
    })
    expect(res.status).toBe(303)
    const untrusted = await send(s, 'POST', '/login', {
      form: { email: u.email, password: u.password },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sync.example.com', origin: 'https://sync.example.com' },
    })
    expect(untrusted.status).toBe(403)
  })

  it('believes only the X-Forwarded-Proto/-Host entry our proxy appended, not one the client sent before it', async () => {
    // The client wrote "https" and "evil.example.com"; our one proxy appended what it saw: "http", "sync.example.com".
    expect(await loginCookie(proxied, { 'x-forwarded-proto': 'https, http' })).not.toContain('secure')
    expect(await loginCookie(proxied, { 'x-forwarded-proto': 'http, https' })).toContain('secure')
    const u = await proxied.user()
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example.com, sync.example.com' }
    const forged = await send(proxied, 'POST', '/login', {
      form: { email: u.email, password: u.password },
      headers: { ...headers, origin: 'https://evil.example.com' },
    })
    expect(forged.status).toBe(403)
    const real = await send(proxied, 'POST', '/login', {
      form: { email: u.email, password: u.password },
      headers: { ...headers, origin: 'https://sync.example.com' },
    })
    expect(real.status).toBe(303)
  })

  it('with two proxies of ours, believes the entry the outer one appended', async () => {
    const twoHops = await startServer({ 'trust-proxy': 'true', 'trusted-proxies': '2' })
    try {
      // client-written, outer proxy's, inner proxy's
      expect(await loginCookie(twoHops, { 'x-forwarded-proto': 'http, https, http' })).toContain('secure')
      expect(await loginCookie(twoHops, { 'x-forwarded-proto': 'https, http, https' })).not.toContain('secure')
    } finally {
      await twoHops.stop()
    }
  })

  it('accepts the forwarded https origin as same-origin behind a trusted proxy', async () => {
    const u = await proxied.user()
    const host = new URL(proxied.base).host
    const res = await send(proxied, 'POST', '/login', {
      form: { email: u.email, password: u.password },
      headers: { 'x-forwarded-proto': 'https', origin: `https://${host}` },
    })
    expect(res.status).toBe(303)
  })
})

describe('session lifetime', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startServer()
  }, 30_000)
  afterAll(() => s.stop(), 30_000)

  it('ends at logout: the cookie is cleared and the old value no longer works', async () => {
    const { session } = await adminSession(s)
    const res = await post(s, session, '/logout')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?m=logged-out')
    expect(flagsOf(res.headers.get('set-cookie'))).toContain('max-age=0')
    expect((await send(s, 'GET', '/sites', { session })).status).toBe(303)
  })

  it('gives a fresh id at every login', async () => {
    const u = await s.user()
    const a = await login(s, u.email, u.password)
    const b = await login(s, u.email, u.password)
    expect(a.cookie).not.toBe(b.cookie)
    expect(a.csrf).not.toBe(b.csrf)
  })

  it('ends for every other session when the password changes, but not for the one changing it', async () => {
    const u = await s.user()
    const here = await login(s, u.email, u.password)
    const elsewhere = await login(s, u.email, u.password)
    const res = await post(s, here, '/account/password', {
      current: u.password,
      password: 'a brand new password',
      confirm: 'a brand new password',
    })
    expect(res.status).toBe(303)
    expect((await send(s, 'GET', '/sites', { session: here })).status).toBe(200)
    expect((await send(s, 'GET', '/sites', { session: elsewhere })).status).toBe(303)
    expect((await s.call('POST', '/api/v1/auth/refresh/', { body: { refresh: u.refresh } })).status).toBe(401)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: u.token })).status).toBe(401)
    // A token issued after the change works.
    const fresh = await s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: 'a brand new password' } })
    expect((await s.call('GET', '/api/v1/auth/me/', { token: fresh.body.data.access })).status).toBe(200)
  })

  it('refuses a password change with the wrong current password (422, form shown again)', async () => {
    const { session } = await adminSession(s)
    const res = await post(s, session, '/account/password', {
      current: 'not my password',
      password: 'a brand new password',
      confirm: 'a brand new password',
    })
    expect(res.status).toBe(422)
    expect(res.text).toContain('The current password is not correct.')
  })
})
