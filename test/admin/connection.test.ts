// Site → Connection: generating and revoking API keys, activating and deactivating the site,
// each as an htmx fragment and as a plain form post.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { seedStructure, startServer, type TestServer } from '../helpers/server'
import { adminSession, htmxPost, post, send } from './client'

let s: TestServer
let me: Awaited<ReturnType<typeof adminSession>>
let site: Awaited<ReturnType<TestServer['site']>>
const base = () => `/sites/${site.siteId}`
const pushWith = (key: string) =>
  s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, { token: key, body: seedStructure() })

beforeAll(async () => {
  s = await startServer()
  me = await adminSession(s, { admin: false })
  site = await s.site(me.token)
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /sites/{id}/connection', () => {
  it('shows what the plugin reported after a push', async () => {
    await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
      token: site.key,
      body: { ...seedStructure(), two_way_sync_enabled: false, site_url: 'https://wp.example.com', wordpress_version: '6.4.2' },
    })
    const res = await send(s, 'GET', `${base()}/connection`, { session: me.session })
    expect(res.text).toContain('https://wp.example.com')
    expect(res.text).toContain('6.4.2')
    expect(res.text).toContain('2025-11-22 10:00:00 UTC')
    expect(res.text).toMatch(/Two-way sync<\/dt>\s*<dd><span class="badge badge-warn">Off/)
  })
})

describe('API keys', () => {
  it('generates a key through htmx: the keys panel comes back with the new key, which works', async () => {
    const res = await htmxPost(s, me.session, `${base()}/keys`)
    expect(res.status).toBe(200)
    expect(res.text.trimStart()).toStartWith('<div id="keys-panel"')
    const key = /igny8_sk_[\w-]+/.exec(res.text)![0]
    expect((await pushWith(key)).status).toBe(200)
  })

  it('revokes a key through htmx and through a plain form; the plugin is refused at once', async () => {
    const a = await s.call('POST', `/api/v1/system/sites/${site.siteId}/api-keys/`, { token: me.token, body: {} })
    const res = await htmxPost(s, me.session, `${base()}/keys/${a.body.data.id}/revoke`)
    expect(res.status).toBe(200)
    expect(res.text).toContain('Key revoked.')
    expect(res.text).not.toContain(a.body.data.prefix)
    expect((await pushWith(a.body.data.key)).status).toBe(401)

    const b = await s.call('POST', `/api/v1/system/sites/${site.siteId}/api-keys/`, { token: me.token, body: {} })
    const plain = await post(s, me.session, `${base()}/keys/${b.body.data.id}/revoke`)
    expect(plain.status).toBe(303)
    expect(plain.headers.get('location')).toBe(`${base()}/connection?m=key-revoked`)
    expect((await pushWith(b.body.data.key)).status).toBe(401)
  })
})

describe('POST /sites/{id}/active', () => {
  it('deactivates through htmx: the panel and (out of band) the header badge change, and pushes are refused', async () => {
    const res = await htmxPost(s, me.session, `${base()}/active`, { value: 'off' })
    expect(res.status).toBe(200)
    expect(res.text).toContain('Activate site')
    expect(res.text).toMatch(/<span id="site-status" hx-swap-oob="true">/)
    expect((await pushWith(site.key)).status).toBe(403)
  })

  it('activates again through a plain form, redirecting back', async () => {
    const res = await post(s, me.session, `${base()}/active`, { value: 'on' })
    expect(res.status).toBe(303)
    expect((await pushWith(site.key)).status).toBe(200)
  })
})
