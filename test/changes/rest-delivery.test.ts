// REST delivery against a REAL WordPress (test/wordpress/): no plugin, pull credentials only. Edits reach WordPress,
// a post changed there meanwhile is merged or stopped in conflict, SEO needs the plugin, drafts become posts.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { deliveryPath } from '../../src/changes/delivery-path'
import { deliverOverRest, SEO_NEEDS_PLUGIN } from '../../src/changes/rest-delivery'
import { startServer, type TestServer } from '../helpers/server'
import { startWordPress, type WordPress } from '../wordpress/harness'

let wp: WordPress
let s: TestServer
beforeAll(async () => {
  wp = await startWordPress()
  s = await startServer({ 'pull-allow-private': 'true' })
}, 180_000)
afterAll(async () => {
  await s?.stop()
  await wp?.stop()
}, 60_000)

const base = (id: number) => `/api/v1/integration/integrations/${id}`
/** A site whose content was pulled from the test WordPress (so posts and terms are stored). */
async function pulledSite() {
  const u = await s.user()
  const site = await s.site(u.token)
  const b = base(site.integrationId)
  const put = await s.call('PUT', `${b}/pull-credentials/`, {
    token: u.token,
    body: { wp_url: wp.url, username: wp.adminUser, app_password: wp.appPassword },
  })
  expect(put.status).toBe(200)
  const pull = await s.call('POST', `${b}/pull/`, { token: u.token, body: { content: true } })
  expect(pull.body.data.status).toBe('ok')
  const call = (method: string, path: string, body?: unknown) => s.call(method, `${b}${path}`, { token: u.token, body })
  const deliver = () => deliverOverRest(s.db, s.ctx.config, site.integrationId, 'rest:test')
  return { ...site, token: u.token, call, deliver }
}
const php = (code: string) => wp.wpEval(code)
const titleOf = async (id: number) => (await php(`echo get_post(${id})->post_title;`)).trim()
/** Changes a post in WordPress as an editor would, with a modified time clearly after the pull. */
const editInWordPress = (id: number, fields: string) =>
  php(`wp_update_post(['ID' => ${id}, ${fields}]); global $wpdb;
    $wpdb->update($wpdb->posts, ['post_modified_gmt' => '2031-01-0${(id % 9) + 1} 10:00:00', 'post_modified' => '2031-01-0${(id % 9) + 1} 10:00:00'], ['ID' => ${id}]);
    clean_post_cache(${id});`)

describe('REST delivery', () => {
  it('picks rest without a plugin, writes the edit and stores WordPress’s answer', async () => {
    const c = await pulledSite()
    expect((await deliveryPath(s.db, c.integrationId)).path).toBe('rest')
    const id = wp.fixtures.ids.posts[0]!
    const cat = wp.fixtures.ids.categories['travel']!
    const ch = (
      await c.call('PATCH', `/content/${id}/`, {
        title: 'Written from IGNY8',
        terms: { category: [cat] },
        content: '<!-- wp:paragraph --><p>New body</p><!-- /wp:paragraph -->',
      })
    ).body.data
    expect(await c.deliver()).toBe(1)
    const after = (await c.call('GET', `/changes/${ch.id}/`)).body.data
    expect(after).toMatchObject({ state: 'applied', delivery: 'rest', error: null })
    expect(await titleOf(id)).toBe('Written from IGNY8')
    expect((await php(`echo implode(',', wp_get_post_categories(${id}));`)).trim()).toBe(String(cat))
    expect((await php(`echo get_post(${id})->post_content;`)).trim()).toBe('<!-- wp:paragraph --><p>New body</p><!-- /wp:paragraph -->')
    const stored = (await c.call('GET', `/content/?search=Written from IGNY8`)).body.results
    expect(stored).toMatchObject([{ external_id: id, title: 'Written from IGNY8', terms: { category: [cat] } }])
    const events = (await c.call('GET', '/sync-events/')).body.results
    expect(events.find((e: any) => e.kind === 'pushback')).toMatchObject({ status: 'ok', source: 'pull' })
  })

  it('merges an edit of another field made in WordPress meanwhile and delivers on', async () => {
    const c = await pulledSite()
    const id = wp.fixtures.ids.posts[1]!
    const ch = (await c.call('PATCH', `/content/${id}/`, { slug: 'our-slug' })).body.data
    await editInWordPress(id, `'post_title' => 'Renamed in WordPress'`)
    await c.deliver()
    expect((await c.call('GET', `/changes/${ch.id}/`)).body.data).toMatchObject({
      state: 'applied',
      base_modified_at: `2031-01-0${(id % 9) + 1}T10:00:00Z`,
    })
    expect(await titleOf(id)).toBe('Renamed in WordPress')
    expect((await php(`echo get_post(${id})->post_name;`)).trim()).toBe('our-slug')
    const events = (await c.call('GET', '/sync-events/')).body.results.filter((e: any) => e.kind === 'pushback')
    expect(events.map((e: any) => e.summary).join(' | ')).toContain('merged')
  })

  it('stops in conflict when both sides changed the title, writes nothing, and delivers the resolution', async () => {
    const c = await pulledSite()
    const id = wp.fixtures.ids.posts[2]!
    const before = await titleOf(id)
    const ch = (await c.call('PATCH', `/content/${id}/`, { title: 'Ours' })).body.data
    await editInWordPress(id, `'post_title' => 'Theirs'`)
    await c.deliver()
    const stopped = (await c.call('GET', `/changes/${ch.id}/`)).body.data
    expect(stopped.state).toBe('conflict')
    expect(stopped.conflict.fields.title).toEqual({ base: before, igny8: 'Ours', wordpress: 'Theirs' })
    expect(await titleOf(id)).toBe('Theirs')
    await c.deliver()
    expect(await titleOf(id)).toBe('Theirs')
    const resolved = await c.call('POST', `/changes/${ch.id}/resolve/`, { fields: { title: 'igny8' } })
    expect(resolved.body.data.state).toBe('pending')
    await c.deliver()
    expect((await c.call('GET', `/changes/${ch.id}/`)).body.data.state).toBe('applied')
    expect(await titleOf(id)).toBe('Ours')
  })

  it('fails a change carrying SEO with the contract’s reason', async () => {
    const c = await pulledSite()
    const id = wp.fixtures.ids.posts[3]!
    const ch = (await c.call('PATCH', `/content/${id}/`, { seo: { title: 'SEO' } })).body.data
    await c.deliver()
    expect((await c.call('GET', `/changes/${ch.id}/`)).body.data).toMatchObject({ state: 'failed', error: SEO_NEEDS_PLUGIN })
  })

  it('creates a draft post and stores it with its WordPress id', async () => {
    const c = await pulledSite()
    const cat = wp.fixtures.ids.categories['news']!
    const ch = (
      await c.call('POST', '/content/', { post_type: 'post', title: 'Drafted in IGNY8', content: 'Hello', terms: { category: [cat] } })
    ).body.data
    await c.deliver()
    const after = (await c.call('GET', `/changes/${ch.id}/`)).body.data
    expect(after.state).toBe('applied')
    expect(after.external_id).toBeGreaterThan(0)
    expect((await php(`echo get_post(${after.external_id})->post_status . '|' . get_post(${after.external_id})->post_title;`)).trim()).toBe(
      'draft|Drafted in IGNY8',
    )
    const stored = (await c.call('GET', `/content/?search=Drafted in IGNY8`)).body.results
    expect(stored).toMatchObject([{ external_id: after.external_id, status: 'draft', terms: { category: [cat] } }])
  })

  it('fails a change whose post was deleted in WordPress', async () => {
    const c = await pulledSite()
    const id = wp.fixtures.ids.posts[4]!
    const ch = (await c.call('PATCH', `/content/${id}/`, { title: 'Too late' })).body.data
    await php(`wp_delete_post(${id}, true);`)
    await c.deliver()
    expect((await c.call('GET', `/changes/${ch.id}/`)).body.data).toMatchObject({
      state: 'failed',
      error: 'The post was deleted in WordPress.',
    })
  })
})

describe('REST delivery failures', () => {
  it('retries with backoff when WordPress refuses the credentials', async () => {
    const c = await pulledSite()
    const id = wp.fixtures.ids.posts[6]!
    const ch = (await c.call('PATCH', `/content/${id}/`, { title: 'Never arrives' })).body.data
    const put = await c.call('PUT', '/pull-credentials/', {
      wp_url: wp.url,
      username: wp.adminUser,
      app_password: 'wrong wrong wrong wrong',
    })
    expect(put.status).toBe(200)
    await c.deliver()
    const after = (await c.call('GET', `/changes/${ch.id}/`)).body.data
    expect(after).toMatchObject({ state: 'pending', attempts: 1, delivery: 'rest' })
    expect(after.error).toContain('rejected the username or Application Password')
    // Waiting out its backoff: the next run does not take it.
    expect(await c.deliver()).toBe(0)
    expect(await titleOf(id)).not.toBe('Never arrives')
  })
})

describe('the worker', () => {
  it('delivers over REST on its own once an edit is queued, outside the request', async () => {
    const { startChangeWorker } = await import('../../src/changes/worker')
    const c = await pulledSite()
    const worker = await startChangeWorker(s.ctx, { intervalMs: 60_000 })
    try {
      const id = wp.fixtures.ids.posts[5]!
      const ch = (await c.call('PATCH', `/content/${id}/`, { title: 'Worker wrote this' })).body.data
      expect(ch.state).toBe('pending')
      let state = ch.state
      for (let i = 0; i < 100 && state !== 'applied'; i++) {
        await Bun.sleep(100)
        state = (await c.call('GET', `/changes/${ch.id}/`)).body.data.state
      }
      expect(state).toBe('applied')
      expect(await titleOf(id)).toBe('Worker wrote this')
    } finally {
      await worker.stop()
    }
  })
})
