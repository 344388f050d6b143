// GET /sites (status per site, counts, pages) and POST /sites (site + integration + first key, shown once).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { seedStructure, startServer, type TestServer } from '../helpers/server'
import { adminSession, post, send } from './client'
import { sqliteOf } from '../../src/db/sqlite'

let s: TestServer
let me: Awaited<ReturnType<typeof adminSession>>
beforeAll(async () => {
  s = await startServer({ 'base-url': 'https://sync.example.com/' })
  me = await adminSession(s, { admin: false })
}, 30_000)
afterAll(() => s.stop(), 30_000)

// Staleness follows the server's receive time, so the push is also dated as received at `timestamp`.
const push = async (site: { integrationId: number; key: string }, timestamp: string) => {
  await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
    token: site.key,
    body: { ...seedStructure(), timestamp },
  })
  sqliteOf(s.db)
    .query("update integrations set config_json = json_set(config_json, '$.content_types.received_at', ?) where id = ?")
    .run(timestamp, site.integrationId)
}
const statValue = (page: string, label: string) =>
  new RegExp(`stat-value">(\\d+)</div>\\s*<div class="stat-label">${label}<`).exec(page)?.[1]

describe('GET /sites', () => {
  it('shows each site with its status badge and the counts per status', async () => {
    const connected = await s.site(me.token, 'Fresh site')
    await push(connected, new Date().toISOString())
    await s.site(me.token, 'Untouched site')
    const stale = await s.site(me.token, 'Old site')
    await push(stale, new Date(Date.now() - 27 * 3600_000).toISOString())
    const inactive = await s.site(me.token, 'Paused site')
    await s.call('PATCH', `/api/v1/system/sites/${inactive.siteId}/`, { token: me.token, body: { is_active: false } })

    const res = await send(s, 'GET', '/sites', { session: me.session })
    expect(res.status).toBe(200)
    const row = (name: string) => res.text.slice(res.text.indexOf(`>${name}<`)).split('</tr>')[0]!
    expect(row('Fresh site')).toContain('Connected')
    expect(row('Untouched site')).toContain('Never connected')
    expect(row('Old site')).toContain('Stale')
    expect(row('Paused site')).toContain('Inactive')
    expect([statValue(res.text, 'Sites'), statValue(res.text, 'Connected'), statValue(res.text, 'Never connected')]).toEqual([
      '4',
      '1',
      '1',
    ])
    expect([statValue(res.text, 'Stale'), statValue(res.text, 'Inactive')]).toEqual(['1', '1'])
  })
})

describe('GET /sites with more than 50 sites', () => {
  it('shows 50 a page with page links, the counts covering every site', async () => {
    const owner = await adminSession(s, { admin: false })
    for (let i = 1; i <= 52; i++) await s.site(owner.token, `Site ${String(i).padStart(2, '0')}`)
    const rows = (page: string) => page.split('<tbody>')[1]!.split('</tbody>')[0]!.split('<tr').length - 1
    const first = await send(s, 'GET', '/sites', { session: owner.session })
    expect(rows(first.text)).toBe(50)
    expect(first.text).toContain('1–50 of 52')
    expect(first.text).toContain('href="/sites?page=2" rel="next"')
    expect(statValue(first.text, 'Sites')).toBe('52')
    const second = await send(s, 'GET', '/sites?page=2', { session: owner.session })
    expect(rows(second.text)).toBe(2)
    expect(second.text).toContain('>Site 52<')
    expect(second.text).toContain('href="/sites" rel="prev"')
    expect([statValue(second.text, 'Sites'), statValue(second.text, 'Never connected')]).toEqual(['52', '52'])
    // Fewer than 51 sites: no page links at all.
    expect((await send(s, 'GET', '/sites', { session: me.session })).text).not.toContain('class="pager"')
  })
})

describe('POST /sites', () => {
  it('creates the site, its WordPress integration and a working first key, showing the key and the plugin settings', async () => {
    const res = await post(s, me.session, '/sites', { name: 'Shop', url: 'https://shop.example.com' })
    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const key = /igny8_sk_[\w-]+/.exec(res.text)![0]
    expect(res.text).toContain('https://sync.example.com/api/v1') // --base-url wins over the request's origin
    expect(res.text).toContain(me.email)
    const mine = await s.call('GET', '/api/v1/system/sites/', { token: key })
    expect(mine.body.results).toEqual([expect.objectContaining({ name: 'Shop', url: 'https://shop.example.com' })])
    const integrations = await s.call('GET', `/api/v1/integration/integrations/?site=${mine.body.results[0].id}&platform=wordpress`, {
      token: key,
    })
    expect(integrations.body.count).toBe(1)
    // Never again: the connection page lists the key by prefix only.
    const page = await send(s, 'GET', `/sites/${mine.body.results[0].id}/connection`, { session: me.session })
    expect(page.text).not.toContain(key)
    expect(page.text).toContain(key.slice(0, 15))
  })

  it('answers 422 with the form and field messages for a bad URL, creating nothing', async () => {
    const before = (await send(s, 'GET', '/sites', { session: me.session })).text
    const res = await post(s, me.session, '/sites', { name: 'Bad', url: 'ftp://nope' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('Enter a valid http(s) URL.')
    expect(res.text).toContain('value="Bad"')
    expect(statValue((await send(s, 'GET', '/sites', { session: me.session })).text, 'Sites')).toBe(statValue(before, 'Sites'))
  })

  it('creates nothing when the key cannot be stored: site, integration and key are one transaction', async () => {
    const count = (table: string) => (sqliteOf(s.db).query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    const before = { sites: count('sites'), integrations: count('integrations'), keys: count('api_keys') }
    // A real failure in the last step: the database refuses the key row, as a full disk or a broken constraint would.
    sqliteOf(s.db).exec(`CREATE TRIGGER refuse_keys BEFORE INSERT ON api_keys BEGIN SELECT RAISE(ABORT, 'refused'); END`)
    try {
      const res = await post(s, me.session, '/sites', { name: 'Half made', url: 'https://half.example.com' })
      expect(res.status).toBe(500)
      expect(res.text).not.toContain('refused')
    } finally {
      sqliteOf(s.db).exec('DROP TRIGGER refuse_keys')
    }
    expect({ sites: count('sites'), integrations: count('integrations'), keys: count('api_keys') }).toEqual(before)
    const list = await send(s, 'GET', '/sites', { session: me.session })
    expect(list.text).not.toContain('Half made')
  })
})
