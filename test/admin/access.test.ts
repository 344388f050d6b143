// Who may open which admin page: visitors are sent to login, non-admins get 403 on admin pages,
// and another tenant's site is a 404 (indistinguishable from a site that does not exist).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { seedStructure, startServer, type TestServer } from '../helpers/server'
import { adminSession, htmxPost, post, send } from './client'

let s: TestServer
let owner: Awaited<ReturnType<typeof adminSession>>
let other: Awaited<ReturnType<typeof adminSession>>
let admin: Awaited<ReturnType<typeof adminSession>>
let siteId = 0

beforeAll(async () => {
  s = await startServer()
  owner = await adminSession(s, { admin: false })
  other = await adminSession(s, { admin: false })
  admin = await adminSession(s, { admin: true })
  const site = await s.site(owner.token)
  siteId = site.siteId
  await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
    token: site.key,
    body: seedStructure(),
  })
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('a visitor without a session', () => {
  it('is sent to the login page, remembering where they were going', async () => {
    const res = await send(s, 'GET', `/sites/${siteId}/content-types`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/sites/${siteId}/content-types`)}`)
  })

  it('gets 401 with HX-Redirect on an htmx request, so htmx navigates instead of swapping the login page in', async () => {
    const res = await send(s, 'POST', `/sites/${siteId}/active`, { headers: { 'hx-request': 'true' }, form: { value: 'off' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('hx-redirect')).toBe('/login')
  })
})

describe("another tenant's site", () => {
  const pages = () => ['connection', 'content-types', 'sync-log'].map((p) => `/sites/${siteId}/${p}`)

  it('is visible to its owner', async () => {
    for (const path of pages()) expect((await send(s, 'GET', path, { session: owner.session })).status).toBe(200)
  })

  it('is a 404 page for another user, on every tab', async () => {
    for (const path of pages()) {
      const res = await send(s, 'GET', path, { session: other.session })
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toStartWith('text/html')
      expect(res.text).not.toContain('Blog')
    }
  })

  it('is a 404 for every change another user tries, and nothing changes', async () => {
    const tries = [
      post(s, other.session, `/sites/${siteId}/active`, { value: 'off' }),
      post(s, other.session, `/sites/${siteId}/keys`),
      htmxPost(s, other.session, `/sites/${siteId}/content-types/post_types/post`, { fetch_limit: '1' }),
    ]
    for (const res of await Promise.all(tries)) expect(res.status).toBe(404)
    const json = await s.call('GET', `/api/v1/system/sites/${siteId}/`, { token: owner.token })
    expect(json.body.data.is_active).toBe(true)
  })

  it('does not appear in the other user’s site list', async () => {
    const res = await send(s, 'GET', '/sites', { session: other.session })
    expect(res.text).not.toContain(`/sites/${siteId}/`)
  })
})

describe('GET /users (administrators only)', () => {
  it('answers 403 to a non-admin, and the nav does not offer it', async () => {
    const res = await send(s, 'GET', '/users', { session: owner.session })
    expect(res.status).toBe(403)
    const sites = await send(s, 'GET', '/sites', { session: owner.session })
    expect(sites.text).not.toContain('href="/users"')
  })

  it('answers 403 to a non-admin creating a user, and creates nothing', async () => {
    const res = await post(s, owner.session, '/users', { email: 'sneaky@example.com', password: 'long enough pw' })
    expect(res.status).toBe(403)
    const list = await send(s, 'GET', '/users', { session: admin.session })
    expect(list.text).not.toContain('sneaky@example.com')
  })

  it('answers 200 to an administrator', async () => {
    expect((await send(s, 'GET', '/users', { session: admin.session })).status).toBe(200)
  })
})
