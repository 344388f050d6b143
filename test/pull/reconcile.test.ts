// A full pull also removes what WordPress no longer has; a pull cut short by fetch_limit removes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
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

describe('POST /integration/integrations/{id}/pull/ with content', () => {
  it('deletes stored items and terms that WordPress no longer lists, only after a complete read', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const creds = { wp_url: wp.url, username: wp.adminUser, app_password: wp.appPassword }
    expect((await s.call('PUT', `${base(site.integrationId)}/pull-credentials/`, { token: u.token, body: creds })).status).toBe(200)
    const pull = async () =>
      (await s.call('POST', `${base(site.integrationId)}/pull/`, { token: u.token, body: { content: true } })).body.data
    const synced = async () => (await s.call('GET', `${base(site.integrationId)}/content-types/`, { token: u.token })).body.data
    const first = await pull()
    expect(first.status).toBe('ok')
    expect((await synced()).post_types.post.synced_count).toBe(wp.fixtures.posts)

    // A post and a tag disappear in WordPress.
    const postId = wp.fixtures.ids.posts[0]!
    const tagId = Object.values(wp.fixtures.ids.tags)[0]!
    await wp.wpEval(`wp_delete_post(${postId}, true); wp_delete_term(${tagId}, 'post_tag');`)
    const second = await pull()
    expect(second.status).toBe('ok')
    const after = await synced()
    expect(after.post_types.post.synced_count).toBe(wp.fixtures.posts - 1)
    expect(after.taxonomies.post_tag.synced_count).toBe(wp.fixtures.tags - 1)
    const listed = await s.call('GET', `${base(site.integrationId)}/content/?post_type=post&page_size=200`, { token: u.token })
    expect(listed.body.results.map((r: { external_id: number }) => r.external_id)).not.toContain(postId)

    // With a limit below WordPress's total the read is partial: nothing more is deleted.
    await s.call('PATCH', `${base(site.integrationId)}/content-types/`, {
      token: u.token,
      body: { post_types: { post: { fetch_limit: 3 } } },
    })
    const third = await pull()
    expect(third.status).toBe('ok')
    expect((await synced()).post_types.post.synced_count).toBe(wp.fixtures.posts - 1)
  }, 120_000)

  it('keeps a post that became a draft (WordPress still has it), with its new status, and removes a trashed one', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const creds = { wp_url: wp.url, username: wp.adminUser, app_password: wp.appPassword }
    expect((await s.call('PUT', `${base(site.integrationId)}/pull-credentials/`, { token: u.token, body: creds })).status).toBe(200)
    const pull = async () =>
      (await s.call('POST', `${base(site.integrationId)}/pull/`, { token: u.token, body: { content: true } })).body.data
    const stored = async () =>
      (await s.call('GET', `${base(site.integrationId)}/content/?post_type=post&page_size=200`, { token: u.token })).body.results as {
        external_id: number
        status: string
      }[]
    expect((await pull()).status).toBe('ok')
    const [draft, trashed] = (await stored()).map((r) => r.external_id)
    await wp.wpEval(`wp_update_post(['ID' => ${draft}, 'post_status' => 'draft']); wp_trash_post(${trashed});`)
    try {
      const second = await pull()
      expect(second.status).toBe('ok')
      const after = await stored()
      expect(after.find((r) => r.external_id === draft)?.status).toBe('draft')
      expect(after.map((r) => r.external_id)).not.toContain(trashed)
    } finally {
      await wp.wpEval(
        `wp_untrash_post(${trashed}); wp_update_post(['ID' => ${trashed}, 'post_status' => 'publish']); wp_update_post(['ID' => ${draft}, 'post_status' => 'publish']);`,
      )
    }
  }, 120_000)
})
