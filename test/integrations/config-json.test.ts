import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { integrations } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from '../content/helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const storedConfig = async (id: number) =>
  (await s.db.select({ c: integrations.configJson }).from(integrations).where(eq(integrations.id, id)).get())!.c
const writeConfig = async (id: number, config: unknown) =>
  await s.db
    .update(integrations)
    .set({ configJson: JSON.stringify(config) })
    .where(eq(integrations.id, id))
    .run()

const SERVER_OWNED: [string, unknown][] = [
  ['content_types', { post_types: { post: { label: 'P', count: 1, enabled: true, fetch_limit: '10' } } }],
  ['content_types', null],
  ['content_type_overrides', { post_types: { post: { fetch_limit: 'none' } } }],
  ['content_type_overrides', null],
  ['plugin_connection_enabled', false],
  ['two_way_sync_enabled', null],
]

describe('PATCH /integration/integrations/{id}/ config_json', () => {
  for (const [key, value] of SERVER_OWNED) {
    it(`refuses the server-owned key ${key} = ${JSON.stringify(value)} with 400 naming config_json.${key}, changing nothing`, async () => {
      const c = await connectedSite(s)
      const before = await storedConfig(c.integrationId)
      const res = await s.call('PATCH', `/api/v1/integration/integrations/${c.integrationId}/`, {
        token: c.user.token,
        body: { is_active: false, config_json: { custom: 1, [key]: value } },
      })
      expect(res.status).toBe(400)
      expect(res.body.code).toBe('invalid')
      expect(Object.keys(res.body.errors)).toEqual([`config_json.${key}`])
      expect(await storedConfig(c.integrationId)).toBe(before)
      expect((await s.call('GET', `${c.base}/`, { token: c.user.token })).body.data.is_active).toBe(true)
    })
  }

  it('refuses server-owned keys when creating an integration too', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const res = await s.call('POST', '/api/v1/integration/integrations/', {
      token: u.token,
      body: { site: site.siteId, platform: 'shopify', config_json: { content_types: { post_types: 'x' } } },
    })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual(['config_json.content_types'])
  })

  it('accepts conflict_policy manual|wordpress_wins|igny8_wins, refuses anything else naming it, and null removes it', async () => {
    const c = await connectedSite(s)
    const patch = (config_json: unknown) =>
      s.call('PATCH', `/api/v1/integration/integrations/${c.integrationId}/`, { token: c.user.token, body: { config_json } })
    for (const policy of ['manual', 'wordpress_wins', 'igny8_wins']) {
      const res = await patch({ conflict_policy: policy })
      expect(res.status).toBe(200)
      expect(res.body.data.config_json.conflict_policy).toBe(policy)
    }
    const bad = await patch({ conflict_policy: 'latest_wins' })
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.errors)).toEqual(['config_json.conflict_policy'])
    expect(JSON.parse(await storedConfig(c.integrationId)).conflict_policy).toBe('igny8_wins')
    expect((await patch({ conflict_policy: null })).body.data.config_json).not.toHaveProperty('conflict_policy')
  })
})

describe('a stored config_json with junk in it', () => {
  it('answers content-types 200 with the valid entries only, and plugin defaults where a value is junk', async () => {
    const c = await connectedSite(s)
    const config = JSON.parse(await storedConfig(c.integrationId))
    config.content_types.post_types.junk = 'not an entry'
    config.content_types.post_types.bad = { label: 'Bad', count: 'many', enabled: true, fetch_limit: 10 }
    config.content_types.taxonomies = ['not', 'a', 'map']
    config.content_type_overrides = { post_types: { post: { fetch_limit: 'none' }, page: 5 }, taxonomies: 'x' }
    config.plugin_connection_enabled = 'yes'
    await writeConfig(c.integrationId, config)
    const res = await s.call('GET', `${c.base}/content-types/`, { token: c.key })
    expect(res.status).toBe(200)
    expect(Object.keys(res.body.data.post_types).sort()).toEqual(['page', 'post', 'product'])
    expect(res.body.data.post_types.post).toMatchObject({ fetch_limit: 100, overridden: false })
    expect(res.body.data.taxonomies).toEqual({})
    expect(res.body.data.plugin_connection_enabled).toBe(true)
    const one = await s.call('GET', `${c.base}/`, { token: c.user.token })
    expect(one.status).toBe(200)
  })

  it('keeps enforcing the plugin fetch_limit when a stored override limit is a string', async () => {
    const c = await connectedSite(s)
    const config = JSON.parse(await storedConfig(c.integrationId))
    config.content_type_overrides = { post_types: { post: { fetch_limit: '100000' } } }
    await writeConfig(c.integrationId, config)
    const res = await c.content({ items: Array.from({ length: 101 }, (_, i) => post(i + 1)) })
    expect(res.status).toBe(200)
    expect(res.body.data.created).toBe(100)
    expect(res.body.data.skipped).toEqual([{ external_id: 101, reason: 'Post type "post" has reached its fetch limit (100).' }])
  })

  it('lets a later push and an override patch succeed, writing back a clean config', async () => {
    const c = await connectedSite(s)
    const config = JSON.parse(await storedConfig(c.integrationId))
    config.content_type_overrides = { post_types: { post: { enabled: 'no' } } }
    config.content_types.post_types.junk = 7
    await writeConfig(c.integrationId, config)
    const patch = await s.call('PATCH', `${c.base}/content-types/`, {
      token: c.user.token,
      body: { post_types: { page: { fetch_limit: 5 } } },
    })
    expect(patch.status).toBe(200)
    const after = JSON.parse(await storedConfig(c.integrationId))
    expect(after.content_type_overrides.post_types).toEqual({ page: { fetch_limit: 5 } })
    expect(after.content_types.post_types).not.toHaveProperty('junk')
  })
})
