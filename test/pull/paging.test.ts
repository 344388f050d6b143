// A content pull deletes only what WordPress really no longer has, though WordPress pages misbehave: short pages,
// offsets that shift when a post is deleted mid-pull, and items the plugin pushes while the pull runs. These are
// things a real WordPress does only by chance, so a WordPress-shaped server on loopback (fake-wordpress.ts) does them.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { fakeWordPress, type FakeWordPress } from './fake-wordpress'

let s: TestServer
let owner: { token: string }
const fakes: FakeWordPress[] = []
beforeAll(async () => {
  s = await startServer({ 'pull-allow-private': 'true' })
  owner = await s.user()
}, 30_000)
afterAll(async () => {
  for (const f of fakes) f.stop()
  await s?.stop()
}, 30_000)

const base = (id: number) => `/api/v1/integration/integrations/${id}`

/** A site pulling from a fresh fake WordPress with `posts` posts and `terms` categories, pulled once already. */
async function pulledOnce(posts: number, terms = 0) {
  const wp = fakeWordPress({ posts, terms })
  fakes.push(wp)
  const site = await s.site(owner.token)
  const at = base(site.integrationId)
  const put = await s.call('PUT', `${at}/pull-credentials/`, {
    token: owner.token,
    body: { wp_url: wp.url, username: 'admin', app_password: 'pw' },
  })
  expect(put.status).toBe(200)
  const pull = async () => (await s.call('POST', `${at}/pull/`, { token: owner.token, body: { content: true } })).body.data
  expect((await pull()).status).toBe('ok') // the structure, so limits can be raised
  const limits = { post_types: { post: { fetch_limit: 1000 } }, taxonomies: { category: { fetch_limit: 1000 } } }
  expect((await s.call('PATCH', `${at}/content-types/`, { token: owner.token, body: limits })).status).toBe(200)
  const first = await pull()
  expect(first.status).toBe('ok')
  const synced = async () => {
    const ct = (await s.call('GET', `${at}/content-types/`, { token: owner.token })).body.data
    return { posts: ct.post_types.post.synced_count as number, terms: ct.taxonomies.category.synced_count as number }
  }
  expect(await synced()).toEqual({ posts, terms })
  const ids = async (what: 'content' | 'terms') =>
    (await s.call('GET', `${at}/${what}/?page_size=1000`, { token: owner.token })).body.results.map(
      (r: { external_id: number }) => r.external_id,
    )
  return { wp, site, pull, synced, ids }
}

describe('a content pull against a WordPress whose pages misbehave', () => {
  it('reads every page X-WP-TotalPages announces, though a page comes back short, and deletes nothing', async () => {
    const { wp, pull, synced } = await pulledOnce(250)
    // Page 1 of the listing comes back with 60 rows instead of 100 (a plugin filtering rows, a cache...).
    wp.state.hook = (q) => (q.route === 'posts' && !q.include && q.page === 1 ? { rows: (rows) => rows.slice(0, 60) } : undefined)
    const second = await pull()
    expect(second.status).toBe('ok')
    expect(second.counts.items_deleted).toBe(0)
    expect(await synced()).toEqual({ posts: 250, terms: 0 })
    // Pages 2 and 3 were read: the short page did not end the listing.
    expect(wp.state.requests.filter((r) => r.startsWith('/wp/v2/posts') && /[?&]page=3\b/.test(r)).length).toBe(2)
  })

  it('keeps an item that a deletion mid-pull shifted onto a page already read', async () => {
    const { wp, pull, synced, ids } = await pulledOnce(150)
    // Right before page 2 of the listing is answered, post 1 (already read on page 1) is deleted: what was the
    // first item of page 2 (post 101) moves onto page 1, so the listing never shows it.
    let done = false
    wp.state.hook = (q) => {
      if (q.route !== 'posts' || q.include || q.page !== 2 || done) return
      done = true
      wp.posts.splice(0, 1)
    }
    const second = await pull()
    expect(second.status).toBe('ok')
    expect(second.counts.items_deleted).toBe(0)
    expect(await ids('content')).toContain(101)
    // The next pull sees that post 1 is gone, and only that.
    const third = await pull()
    expect(third.counts.items_deleted).toBe(1)
    expect(await synced()).toEqual({ posts: 149, terms: 0 })
    expect(await ids('content')).not.toContain(1)
  })

  it('never deletes items or terms the plugin pushed while the pull was running', async () => {
    const { wp, site, pull, ids } = await pulledOnce(20, 5)
    // While the pull pages through, the plugin sends a post and a term WordPress lists nowhere (yet).
    let pushed = false
    wp.state.hook = async (q) => {
      if (pushed || q.include) return
      pushed = true
      const at = base(site.integrationId)
      const item = {
        external_id: 9001,
        post_type: 'post',
        title: 'New',
        slug: 'new',
        status: 'publish',
        url: 'http://x/new',
        modified_at: null,
        terms: {},
      }
      const content = await s.call('POST', `${at}/sync-content/`, { token: site.key, body: { items: [item] } })
      expect(content.body.data.created).toBe(1)
      const term = { external_id: 9002, taxonomy: 'category', name: 'New', slug: 'new', parent: 0 }
      expect((await s.call('POST', `${at}/sync-terms/`, { token: site.key, body: { terms: [term] } })).body.data.created).toBe(1)
    }
    const second = await pull()
    expect(second.status).toBe('ok')
    expect(pushed).toBe(true)
    expect(await ids('content')).toContain(9001)
    expect(await ids('terms')).toContain(9002)
    // The next pull (nothing pushed meanwhile) does remove them: WordPress really does not have them.
    const third = await pull()
    expect([third.counts.items_deleted, third.counts.terms_deleted]).toEqual([1, 1])
  })

  it('deletes nothing when the pull fails part-way, not even what was already confirmed gone', async () => {
    const { wp, pull, synced } = await pulledOnce(20, 5)
    wp.terms.splice(0, 1) // a category is gone from WordPress...
    wp.state.hook = (q) => (q.route === 'posts' ? { fail: 500 } : undefined) // ...and then the posts listing fails
    const second = await pull()
    expect(second.status).toBe('error')
    expect(await synced()).toEqual({ posts: 20, terms: 5 })
    wp.state.hook = undefined
    const third = await pull()
    expect([third.status, third.counts.terms_deleted]).toEqual(['ok', 1])
  })
})
