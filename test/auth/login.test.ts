import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { passwordVerifications } from '../../src/auth/passwords'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('POST /auth/login/', () => {
  it('answers tokens, expiry times and the user for the right password', async () => {
    const u = await s.user({ email: 'Admin@Example.com' })
    const res = await s.call('POST', '/api/v1/auth/login/', { body: { email: 'admin@example.com', password: u.password } })
    expect(res.status).toBe(200)
    expect(res.body.success).toBe(true)
    const d = res.body.data
    expect(d.access.split('.')).toHaveLength(3)
    expect(d.refresh).toStartWith('igny8_rt_')
    expect(Date.parse(d.access_expires_at) - Date.now()).toBeGreaterThan(3500_000)
    expect(Date.parse(d.refresh_expires_at) - Date.now()).toBeGreaterThan(29 * 24 * 3600_000)
    expect(d.user).toEqual({ id: u.id, email: 'admin@example.com', name: '' })
  })

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const u = await s.user()
    const wrongPassword = await s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: 'nope-nope-nope' } })
    const unknown = await s.call('POST', '/api/v1/auth/login/', { body: { email: 'ghost@example.com', password: 'nope-nope-nope' } })
    expect(wrongPassword.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrongPassword.body).toEqual(unknown.body)
    expect(wrongPassword.body).toEqual({ success: false, error: expect.any(String), code: 'invalid_credentials' })
  })

  it('answers 400 with field paths for a missing password', async () => {
    const res = await s.call('POST', '/api/v1/auth/login/', { body: { email: 'not-an-email' } })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'password'])
  })

  it('answers 429 with Retry-After after repeated failures for one email', async () => {
    const u = await s.user()
    let last
    for (let i = 0; i < 9; i++) last = await s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: 'wrong-wrong' } })
    expect(last!.status).toBe(429)
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(last!.body.code).toBe('rate_limited')
    // Even the right password is refused while limited.
    const right = await s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: u.password } })
    expect(right.status).toBe(429)
  })

  it('verifies at most 8 passwords for a burst of 50 parallel attempts on one email; the rest get 429', async () => {
    const u = await s.user()
    const before = passwordVerifications()
    const burst = await Promise.all(
      Array.from({ length: 50 }, () => s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: 'wrong-wrong' } })),
    )
    const verified = passwordVerifications() - before
    expect(verified).toBeGreaterThan(0)
    expect(verified).toBeLessThanOrEqual(8)
    const limited = burst.filter((r) => r.status === 429)
    expect(burst.filter((r) => r.status === 401)).toHaveLength(verified)
    expect(limited).toHaveLength(50 - verified)
    for (const r of limited) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('does not count successful logins against the client address', async () => {
    const u = await s.user()
    for (let i = 0; i < 35; i++)
      expect((await s.call('POST', '/api/v1/auth/login/', { body: { email: u.email, password: u.password } })).status).toBe(200)
  }, 60_000)
})
