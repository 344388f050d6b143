// U+0000 in any text: PostgreSQL's text cannot hold it, so on either engine a JSON body or an admin form carrying
// one is a 400 naming where it is, and nothing is stored (before, PostgreSQL answered 500 and SQLite stored it).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 60_000)
afterAll(() => s.stop(), 30_000)

describe('a NUL character in a request', () => {
  it('is refused in a JSON body with 400 naming the field, creating nothing', async () => {
    const u = await s.user()
    const res = await s.call('POST', '/api/v1/system/sites/', {
      token: u.token,
      body: { name: 'Blog\u0000', url: 'https://b.example.com' },
    })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ success: false, code: 'invalid', errors: { name: ['Must not contain a NUL character.'] } })
    expect((await s.call('GET', '/api/v1/system/sites/', { token: u.token })).body.count).toBe(0)
  })

  it('names nested fields and keys by their path', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const path = `/api/v1/integration/integrations/${site.integrationId}/`
    const deep = await s.call('PATCH', path, { token: u.token, body: { config_json: { note: ['ok', 'x\u0000'] } } })
    expect(Object.keys(deep.body.errors ?? {})).toEqual(['config_json.note.1'])
    const key = await s.call('PATCH', path, { token: u.token, body: { config_json: { 'bad\u0000key': 1 } } })
    expect(Object.keys(key.body.errors ?? {})).toEqual(['config_json.bad\u0000key'])
    expect((await s.call('GET', path, { token: u.token })).body.data.config_json).not.toHaveProperty('note')
  })

  it('is refused in an admin form (%00) with 400', async () => {
    const res = await fetch(`${s.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%00b%40example.com&password=x',
      redirect: 'manual',
    })
    expect(res.status).toBe(400)
    expect(await res.text()).not.toContain('\u0000')
  })
})

describe('a NUL character in a query string', () => {
  it('is a 400 in the envelope for the API and a page for the admin, never a 500', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const api = await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/content/?search=a%00b`, { token: u.token })
    expect(api.status).toBe(400)
    expect(api.body).toMatchObject({ success: false, code: 'invalid' })
    const page = await fetch(`${s.base}/sites/${site.siteId}/content?search=%00`, { redirect: 'manual' })
    expect(page.status).toBe(400)
  })
})
