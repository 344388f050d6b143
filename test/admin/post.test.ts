// GET/POST /sites/{id}/content/{external_id} (a post's fields, body, edit form and changes) and
// GET/POST /sites/{id}/content-types/post_types/{slug}/new (a new post), over plain HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { editableSite, post as item, type EditableSite } from '../changes/helpers'
import { startServer, type TestServer } from '../helpers/server'
import { csrfIn, login, post, send, type Session } from './client'

let s: TestServer
let c: EditableSite
let me: Session
const page = (id: number) => `/sites/${c.siteId}/content/${id}`
const get = (path: string, session = me) => send(s, 'GET', path, { session })
/** The edit form's fields as the page shows them (checked boxes included, not the CSRF token), as a browser posts them. */
function entriesOf(html: string): [string, string][] {
  const form = html.split('class="post-form"')[1]!.split('</form>')[0]!
  const out: [string, string][] = []
  for (const m of form.matchAll(/<input\s[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"[^>]*>/g))
    if (m[1] !== '_csrf' && (!/type="checkbox"/.test(m[0]) || /\bchecked\b/.test(m[0]))) out.push([m[1]!, decode(m[2]!)])
  for (const m of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>\n?([\s\S]*?)<\/textarea/g)) out.push([m[1]!, decode(m[2]!)])
  out.push(['status', /<option value="([^"]+)" selected>/.exec(form)![1]!])
  return out
}
/** The single-valued fields of the form, by name. */
const formOf = (html: string) => Object.fromEntries(entriesOf(html).filter(([k]) => !k.startsWith('terms_')))
/** Posts form entries (repeated names kept) with the session's token; `set` replaces fields, `[name, null]` drops them. */
function submit(path: string, entries: [string, string][], set: Record<string, string | string[] | null> = {}, session = me) {
  const body = new URLSearchParams()
  for (const [k, v] of entries) if (!(k in set)) body.append(k, v)
  for (const [k, v] of Object.entries(set)) for (const x of v === null ? [] : Array.isArray(v) ? v : [v]) body.append(k, x)
  body.set('_csrf', session.csrf)
  return fetch(s.base + path, { method: 'POST', body, headers: { cookie: session.cookie }, redirect: 'manual' }).then(async (r) => ({
    status: r.status,
    headers: r.headers,
    text: await r.text(),
  }))
}
const decode = (t: string) =>
  t
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
const changes = async () => (await c.userApi.list()).body.results as any[]

beforeAll(async () => {
  s = await startServer()
  c = await editableSite(s)
  me = await login(s, c.user.email, c.user.password)
  const body = '<!-- wp:paragraph --><p>Hello <script>alert(1)</script></p><!-- /wp:paragraph -->\nSecond line'
  expect(
    (await c.plugin.sync([item(5, { title: 'With body', content: body, excerpt: 'Short', seo: { title: 'SEO T', description: null } })]))
      .status,
  ).toBe(200)
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /sites/{id}/content/{external_id}', () => {
  it('shows the fields, the body escaped in a <pre>, and an edit form with the stored values', async () => {
    const res = await get(page(5))
    expect(res.status).toBe(200)
    expect(res.text).toContain('With body')
    expect(res.text).toMatch(
      /<pre class="body-preview"[^>]*>&lt;!-- wp:paragraph --&gt;&lt;p&gt;Hello &lt;script&gt;alert\(1\)&lt;\/script&gt;/,
    )
    expect(res.text).not.toContain('<script>alert(1)')
    const f = formOf(res.text)
    expect(f).toMatchObject({
      title: 'With body',
      slug: 'post-5',
      status: 'publish',
      excerpt: 'Short',
      seo_title: 'SEO T',
      seo_description: '',
    })
    expect(f.content).toContain('Hello <script>alert(1)</script>')
    expect(f.base_modified_at).toBe('2025-11-22T10:00:00Z')
  })

  it('saves a post whose body is far above the 64 KB of other admin forms, while a visitor still gets 413', async () => {
    const big = 'é'.repeat(300 * 1024) // ~600 KB of UTF-8, ~1.8 MB urlencoded
    await c.plugin.sync([item(6, { content: 'small' })])
    const res = await submit(page(6), entriesOf((await get(page(6))).text), { content: big })
    expect(res.status).toBe(303)
    const change = (await changes()).find((x) => x.external_id === 6)
    expect(change.fields.content).toBe(big)
    const anonymous = await fetch(s.base + page(6), {
      method: 'POST',
      body: new URLSearchParams({ content: big }),
      redirect: 'manual',
    })
    expect(anonymous.status).toBe(413)
  })

  it('offers the stored terms of the type’s taxonomies as checkboxes, the post’s own checked', async () => {
    const res = await get(page(1))
    expect(res.text).toMatch(/<input type="checkbox" name="terms_category" value="12" checked \/>\s*News/)
    expect(res.text).toMatch(/<input type="checkbox" name="terms_category" value="13"\s*\/>\s*Tips/)
    expect(res.text).toMatch(/name="terms_post_tag" value="40" checked/)
  })

  it('is linked from the synced items list', async () => {
    const res = await get(`/sites/${c.siteId}/content-types/post_types/post`)
    expect(res.text).toContain(`href="/sites/${c.siteId}/content/1"`)
    expect(res.text).toContain(`href="/sites/${c.siteId}/content-types/post_types/post/new"`)
  })

  it('answers 404 for another user’s site and for an unknown post', async () => {
    const other = await s.user()
    const them = await login(s, other.email, other.password)
    expect((await get(page(1), them)).status).toBe(404)
    expect((await get(page(999))).status).toBe(404)
  })
})

describe('POST /sites/{id}/content/{external_id}', () => {
  const formAt = async (id: number) => entriesOf((await get(page(id))).text)

  it('refuses a post without the CSRF token (403) and queues nothing', async () => {
    const before = (await changes()).length
    const form = Object.fromEntries(await formAt(2))
    const res = await send(s, 'POST', page(2), { session: me, form: { ...form, title: 'x' } })
    expect(res.status).toBe(403)
    expect((await changes()).length).toBe(before)
  })

  it('answers 404 to another user, with their own valid token', async () => {
    const other = await s.user()
    const them = await login(s, other.email, other.password)
    const res = await submit(page(2), await formAt(2), { title: 'x' }, them)
    expect(res.status).toBe(404)
  })

  it('queues a change of just the edited field, based on the modified time the form showed', async () => {
    const res = await submit(page(2), await formAt(2), { title: 'Edited in the admin' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${page(2)}?m=saved`)
    const [ch] = await changes()
    expect(ch).toMatchObject({ kind: 'update', external_id: 2, fields: { title: 'Edited in the admin' }, state: 'pending' })
    expect(ch.base_modified_at).toBe('2025-11-22T10:00:00Z')
    const after = await get(`${page(2)}?m=saved`)
    expect(after.text).toContain('Change saved')
    expect(after.text).toContain(`href="/sites/${c.siteId}/changes/${ch.id}"`)
    expect(after.text).toMatch(/Changes of this post[\s\S]*Pending/)
    // The form shows the open change's value.
    expect(formOf(after.text).title).toBe('Edited in the admin')
  })

  it('sends terms as the checked ids of each taxonomy, and textareas’ CRLF line ends as LF', async () => {
    const form = await formAt(5)
    const content = Object.fromEntries(form).content!
    expect(content).toContain('\n')
    const res = await submit(page(5), form, { content: content.replace(/\n/g, '\r\n'), terms_post_tag: ['40', '41'], terms_category: null })
    expect(res.status).toBe(303)
    const [ch] = await changes()
    // The body differs only by CRLF: not part of the change.
    expect(ch.fields).toEqual({ terms: { category: [], post_tag: [40, 41] } })
  })

  it('shows validation errors with the typed values (422) and queues nothing', async () => {
    const before = (await changes()).length
    const form = await formAt(3)
    const bad = await submit(page(3), form, { title: 'Typed', status: 'bogus' })
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('Must be one of publish, draft, pending, private.')
    expect(formOf(bad.text).title).toBe('Typed')
    const unknownTerm = await submit(page(3), form, { terms_category: '999' })
    expect(unknownTerm.status).toBe(422)
    expect(unknownTerm.text).toContain('No stored category term has id 999.')
    const nothing = await submit(page(3), form)
    expect(nothing.status).toBe(422)
    expect(nothing.text).toContain('Nothing changed')
    const malformed = await submit(page(3), form, { slug: 'x'.repeat(401) })
    expect(malformed.status).toBe(422)
    expect(malformed.text).toMatch(/class="field has-error"[\s\S]*?name="slug"/)
    const stale = await submit(page(3), form, { base_modified_at: '2020-01-01T00:00:00Z', title: 'x' })
    expect(stale.status).toBe(422)
    expect(stale.text).toContain('changed in WordPress since the form was opened')
    expect((await changes()).length).toBe(before)
  })
})

describe('the new-post form', () => {
  const url = () => `/sites/${c.siteId}/content-types/post_types/post/new`

  it('shows the form, and 404 for an unknown post type or another user', async () => {
    const res = await get(url())
    expect(res.status).toBe(200)
    expect(res.text).toContain('New Posts')
    expect(csrfIn(res.text)).toBe(me.csrf)
    expect((await get(`/sites/${c.siteId}/content-types/post_types/nope/new`)).status).toBe(404)
    const other = await s.user()
    const them = await login(s, other.email, other.password)
    expect((await get(url(), them)).status).toBe(404)
    expect((await submit(url(), [['title', 'Theirs']], {}, them)).status).toBe(404)
  })

  it('requires a title and the CSRF token', async () => {
    const before = (await changes()).length
    const empty = await post(s, me, url(), { title: ' ', status: 'draft' })
    expect(empty.status).toBe(422)
    expect(empty.text).toContain('This field is required.')
    expect((await send(s, 'POST', url(), { session: me, form: { title: 'A' } })).status).toBe(403)
    expect((await changes()).length).toBe(before)
  })

  it('queues a create change and shows it', async () => {
    const form: [string, string][] = [
      ['title', 'Brand new'],
      ['status', 'draft'],
      ['content', 'Body\r\ntext'],
      ['taxonomies', 'category,post_tag'],
    ]
    const res = await submit(url(), form, { terms_category: ['12', '13'] })
    expect(res.status).toBe(303)
    const [ch] = await changes()
    expect(ch).toMatchObject({
      kind: 'create',
      post_type: 'post',
      fields: { title: 'Brand new', status: 'draft', content: 'Body\ntext', terms: { category: [12, 13] } },
    })
    expect(res.headers.get('location')).toBe(`/sites/${c.siteId}/changes/${ch.id}`)
    const shown = await get(res.headers.get('location')!)
    expect(shown.status).toBe(200)
    expect(shown.text).toContain('Brand new')
  })
})
