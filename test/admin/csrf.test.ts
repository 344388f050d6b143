// State changes on the admin pages need the session's CSRF token and a same-origin browser request.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { countRows } from '../../src/db/client'
import { sites } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession, htmxPost, post, send, type Session } from './client'

let s: TestServer
let session: Session
const site = { name: 'Blog', url: 'https://blog.example.com' }
const siteCount = async () => await countRows(s.db, sites)

beforeAll(async () => {
  s = await startServer()
  session = (await adminSession(s)).session
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('POST /sites (any admin state change)', () => {
  it('answers 403 without a CSRF token and changes nothing', async () => {
    const before = await siteCount()
    const res = await send(s, 'POST', '/sites', { session, form: site })
    expect(res.status).toBe(403)
    expect(res.text).toContain('id="error-message"')
    expect(await siteCount()).toBe(before)
  })

  it('answers 403 for a wrong CSRF token', async () => {
    const res = await post(s, { ...session, csrf: 'x'.repeat(session.csrf.length) }, '/sites', site)
    expect(res.status).toBe(403)
  })

  it('answers 403 for an htmx request without the X-CSRF-Token header', async () => {
    const res = await send(s, 'POST', `/sites`, { session, form: site, headers: { 'hx-request': 'true' } })
    expect(res.status).toBe(403)
  })

  it('accepts the token in the form body, as a plain form sends it', async () => {
    const res = await post(s, session, '/sites', site)
    expect(res.status).toBe(201)
    expect(res.text).toContain('igny8_sk_')
  })

  it('accepts the token in the X-CSRF-Token header, as htmx sends it', async () => {
    const res = await htmxPost(s, session, '/sites', site)
    expect(res.status).toBe(201)
  })

  it('accepts an Origin equal to the server itself', async () => {
    const res = await post(s, session, '/sites', site, { origin: s.base, 'sec-fetch-site': 'same-origin' })
    expect(res.status).toBe(201)
  })

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin: null (sandboxed frame)', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
  ])('answers 403 for %s even with a valid token', async (_, headers) => {
    const before = await siteCount()
    const res = await post(s, session, '/sites', site, headers)
    expect(res.status).toBe(403)
    expect(await siteCount()).toBe(before)
  })
})

describe('POST /login and /setup (no session yet)', () => {
  it('refuses a login posted from another origin (login CSRF)', async () => {
    const u = await s.user()
    const res = await send(s, 'POST', '/login', {
      form: { email: u.email, password: u.password },
      headers: { origin: 'https://evil.example' },
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
  })
})

describe('POST /logout', () => {
  it('needs the CSRF token too, so another site cannot sign the admin out', async () => {
    const res = await send(s, 'POST', '/logout', { session })
    expect(res.status).toBe(403)
    expect((await send(s, 'GET', '/sites', { session })).status).toBe(200)
  })
})
