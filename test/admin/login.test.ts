// POST /login: the admin's door shares the API's login rate limit, answers wrong credentials on the
// form, and only sends the browser back to local paths.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { passwordVerifications } from '../../src/auth/passwords'
import { OPERATOR, setActive } from '../../src/users/service'
import { startServer, type TestServer } from '../helpers/server'
import { send } from './client'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const formLogin = (email: string, password: string, extra: Record<string, string> = {}) =>
  send(s, 'POST', '/login', { form: { email, password, ...extra } })
const apiLogin = (email: string, password: string) => s.call('POST', '/api/v1/auth/login/', { body: { email, password } })

describe('POST /login', () => {
  it('shows the same message for a wrong password as the API, with 401', async () => {
    const u = await s.user()
    const res = await formLogin(u.email, 'wrong password')
    expect(res.status).toBe(401)
    expect(res.text).toContain('No active account found with the given email and password.')
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('is rate limited together with the API: failures through the API make the form answer 429', async () => {
    const u = await s.user()
    for (let i = 0; i < 8; i++) expect((await apiLogin(u.email, 'wrong password')).status).toBe(401)
    const res = await formLogin(u.email, u.password)
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(res.text).toContain('Too many attempts.')
  })

  it('is rate limited together with the API: failures through the form make the API answer 429', async () => {
    const u = await s.user()
    for (let i = 0; i < 8; i++) expect((await formLogin(u.email, 'wrong password')).status).toBe(401)
    const res = await apiLogin(u.email, u.password)
    expect(res.status).toBe(429)
    expect(res.body.code).toBe('rate_limited')
  })

  it('verifies at most 8 passwords for a burst of parallel form posts on one email; the rest answer 429', async () => {
    const u = await s.user()
    const before = passwordVerifications()
    const burst = await Promise.all(Array.from({ length: 30 }, () => formLogin(u.email, 'wrong password')))
    const verified = passwordVerifications() - before
    expect(verified).toBeGreaterThan(0)
    expect(verified).toBeLessThanOrEqual(8)
    const limited = burst.filter((r) => r.status === 429)
    expect(limited).toHaveLength(30 - verified)
    for (const r of limited) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('returns to a local `next` path after login, and ignores one pointing elsewhere', async () => {
    const u = await s.user()
    expect((await formLogin(u.email, u.password, { next: '/account' })).headers.get('location')).toBe('/account')
    expect((await formLogin(u.email, u.password, { next: '//evil.example/x' })).headers.get('location')).toBe('/sites')
    expect((await formLogin(u.email, u.password, { next: 'https://evil.example/' })).headers.get('location')).toBe('/sites')
  })

  it('refuses a deactivated account like a wrong password', async () => {
    const u = await s.user()
    await setActive(s.db, OPERATOR, u.id, false)
    expect((await formLogin(u.email, u.password)).status).toBe(401)
  })
})
