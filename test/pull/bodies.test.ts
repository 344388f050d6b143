// A pull carries bodies (contract "Content bodies"), read with context=edit from a REAL WordPress (test/wordpress/harness.ts):
// the raw block markup, raw title and excerpt, post_date_gmt and the author arrive exactly as WordPress stores them.
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

// Everything rendering would change: block comments with JSON attributes, quotes (wptexturize), a shortcode,
// entities, non-ASCII, a backslash, CRLF-free newlines, a <!--more--> and a dynamic block.
const BODY = [
  '<!-- wp:paragraph {"align":"center","style":{"typography":{"fontSize":"18px"}}} -->',
  '<p class="has-text-align-center" style="font-size:18px">Tom &amp; Jerry\'s "quotes" -- ünïcødé — C:\\path [gallery ids="1,2"]</p>',
  '<!-- /wp:paragraph -->',
  '',
  '<!-- wp:more -->',
  '<!--more-->',
  '<!-- /wp:more -->',
  '',
  '<!-- wp:latest-posts {"postsToShow":2} /-->',
].join('\n')
const TITLE = `Tom & Jerry's "Quotes" <3`
const EXCERPT = `An excerpt with "quotes" & <em>markup</em>`

/** Creates an author and a post of theirs; answers what WordPress stored (the truth the pull must match). */
async function seedPost() {
  const out = await wp.wpEval(`
    $author = wp_insert_user(['user_login' => 'ada', 'user_pass' => wp_generate_password(), 'display_name' => 'Ada Lovelace', 'role' => 'author']);
    if (is_wp_error($author)) { fwrite(STDERR, $author->get_error_message()); exit(1); }
    $id = wp_insert_post(wp_slash([
      'post_title' => ${JSON.stringify(TITLE)}, 'post_content' => ${JSON.stringify(BODY).replace(/\$/g, '\\$')},
      'post_excerpt' => ${JSON.stringify(EXCERPT)}, 'post_status' => 'publish', 'post_author' => $author,
      'post_date_gmt' => '2021-01-02 03:04:05', 'post_date' => '2021-01-02 03:04:05',
    ]), true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
    $p = get_post($id);
    echo json_encode(['id' => $id, 'author' => (int) $author, 'title' => $p->post_title, 'content' => $p->post_content, 'excerpt' => $p->post_excerpt, 'date_gmt' => $p->post_date_gmt]);
  `)
  return JSON.parse(out.trim().split('\n').pop()!) as {
    id: number
    author: number
    title: string
    content: string
    excerpt: string
    date_gmt: string
  }
}

describe('a content pull', () => {
  it('stores the raw block markup byte for byte, the raw title and excerpt, post_date_gmt and the author', async () => {
    const stored = await seedPost()
    // Sanity: WordPress kept the markup as given, so "byte for byte" below means the markup the test wrote.
    expect(stored.content).toBe(BODY)
    const u = await s.user()
    const site = await s.site(u.token)
    const put = await s.call('PUT', `${base(site.integrationId)}/pull-credentials/`, {
      token: u.token,
      body: { wp_url: wp.url, username: wp.adminUser, app_password: wp.appPassword },
    })
    expect(put.status).toBe(200)
    const pull = await s.call('POST', `${base(site.integrationId)}/pull/`, { token: u.token, body: { content: true } })
    expect(pull.body.data).toMatchObject({ status: 'ok' })

    const item = await s.call('GET', `${base(site.integrationId)}/content/${stored.id}/`, { token: u.token })
    expect(item.status).toBe(200)
    expect(item.body.data).toMatchObject({
      external_id: stored.id,
      post_type: 'post',
      title: TITLE,
      content: BODY,
      excerpt: EXCERPT,
      published_at: '2021-01-02T03:04:05Z',
      author: { id: stored.author, name: 'Ada Lovelace' },
    })
    // Fixture pages carry their bodies too; every item names its author.
    const pages = (await s.call('GET', `${base(site.integrationId)}/content/?post_type=page`, { token: u.token })).body.results
    const about = pages.find((p: { slug: string }) => p.slug === 'about')
    const aboutItem = (await s.call('GET', `${base(site.integrationId)}/content/${about.external_id}/`, { token: u.token })).body.data
    expect(aboutItem.content).toBe('<p>About us.</p>')
    expect(aboutItem.author).toMatchObject({ id: expect.any(Number), name: expect.any(String) })

    // A second pull finds nothing changed: the bodies' fingerprints match.
    const again = await s.call('POST', `${base(site.integrationId)}/pull/`, { token: u.token, body: { content: true } })
    expect(again.body.data.counts).toMatchObject({ items_created: 0, items_updated: 0 })
  }, 120_000)
})
