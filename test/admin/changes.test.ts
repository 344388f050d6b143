// GET /sites/{id}/changes (the Changes tab), GET /sites/{id}/changes/{cid} (one change, the conflict view),
// POST …/{cid}/resolve and DELETE …/{cid} (by htmx), and the delivery path in the site header, over plain HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { editableSite, post as item, type EditableSite } from '../changes/helpers'
import { startServer, type TestServer } from '../helpers/server'
import { htmxPost, login, post, send, type Session } from './client'

const LATER = '2025-11-23T09:00:00Z'
let s: TestServer
let c: EditableSite
let me: Session
const tab = (q = '') => `/sites/${c.siteId}/changes${q}`
const one = (cid: number) => `/sites/${c.siteId}/changes/${cid}`
const get = (path: string, session = me) => send(s, 'GET', path, { session })
const htmxDelete = (path: string, session = me, csrf = session.csrf) =>
  send(s, 'DELETE', path, { session, headers: { 'hx-request': 'true', ...(csrf ? { 'x-csrf-token': csrf } : {}) } })

/** Edits post `id`, lets the plugin take it, and answers conflict with WordPress's post changed by `wp`. */
async function conflictOn(id: number, edit: Record<string, unknown>, wp: Record<string, unknown>) {
  const change = (await c.userApi.patch(id, edit)).body.data
  await c.plugin.pending()
  const res = await c.plugin.result(change.id, { status: 'conflict', item: item(id, { ...wp, modified_at: LATER }) })
  expect(res.status).toBe(200)
  return res.body.data
}

beforeAll(async () => {
  s = await startServer()
  c = await editableSite(s)
  me = await login(s, c.user.email, c.user.password)
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('the site header', () => {
  it('says why changes wait when no plugin was seen and no pull credentials are saved', async () => {
    const res = await get(tab())
    expect(res.status).toBe(200)
    expect(res.text).toContain('No delivery path')
    expect(res.text).toContain('the IGNY8 plugin has never polled and no pull credentials are saved')
  })
})

describe('GET /sites/{id}/changes', () => {
  it('lists changes newest first with their post, fields and state; counts per state; the plugin as delivery path', async () => {
    const a = (await c.userApi.patch(1, { title: 'First edit' })).body.data
    const b = (await c.userApi.create({ post_type: 'post', title: 'A <b>new</b> one' })).body.data
    const res = await get(tab())
    expect(res.status).toBe(200)
    expect(res.text.indexOf(`>#${b.id}<`)).toBeLessThan(res.text.indexOf(`>#${a.id}<`))
    expect(res.text).toContain(`href="/sites/${c.siteId}/content/1"`)
    expect(res.text).toContain('A &lt;b&gt;new&lt;/b&gt; one')
    expect(res.text).toMatch(/Pending <span class="chip-count">2<\/span>/)
    expect(res.text).toContain('Changes<span id="open-changes" > (2)</span>')
    // The plugin's poll leases both: they are delivering, and the header names the plugin.
    await c.plugin.pending()
    const after = await get(tab())
    expect(after.text).toMatch(/Delivering <span class="chip-count">2<\/span>/)
    expect(after.text).toContain('Changes go through the IGNY8 plugin')
  })

  it('filters by state, and a bad state shows everything', async () => {
    await c.plugin.result((await c.userApi.list()).body.results[0].id, { status: 'failed', error: 'WP said <no>', retry: false })
    const failed = await get(tab('?state=failed'))
    expect(failed.text.match(/<tr>/g)!.length).toBe(2) // head + one row
    expect(failed.text).toContain('WP said &lt;no&gt;')
    expect(failed.text).toMatch(/class="chip active"\s+aria-current="page"\s*>Failed/)
    const none = await get(tab('?state=conflict'))
    expect(none.text).toContain('No conflict changes')
    expect((await get(tab('?state=bogus'))).status).toBe(200)
  })

  it('answers 404 for another user’s site', async () => {
    const other = await s.user()
    expect((await get(tab(), await login(s, other.email, other.password))).status).toBe(404)
  })
})

describe('a change in conflict', () => {
  it('shows base, IGNY8 and WordPress per field, with a word diff of long text', async () => {
    const long = 'The quick brown fox jumps over the lazy dog and keeps running far away into the woods.'
    await c.plugin.sync([item(2, { excerpt: long })])
    const ch = await conflictOn(
      2,
      { title: 'Ours', excerpt: long.replace('lazy', 'sleepy') },
      { title: 'Theirs <i>', excerpt: long.replace('brown', 'red') },
    )
    expect(ch.state).toBe('conflict')
    const res = await get(one(ch.id))
    expect(res.status).toBe(200)
    const title = res.text.split('data-field="title"')[1]!.split('</fieldset>')[0]!
    expect(title).toMatch(/Base[\s\S]*Post 2[\s\S]*IGNY8[\s\S]*Ours[\s\S]*WordPress[\s\S]*Theirs &lt;i&gt;/)
    expect(title).toContain('name="choice_title" value="igny8" checked')
    const excerpt = res.text.split('data-field="excerpt"')[1]!.split('</fieldset>')[0]!
    expect(excerpt).toContain('<del>lazy</del><ins>sleepy</ins>')
    expect(excerpt).toContain('<del>brown</del><ins>red</ins>')
    expect(res.text).toContain(`hx-post="${one(ch.id)}/resolve"`)
    expect(res.text).toContain(`hx-delete="${one(ch.id)}"`)
    expect(res.text).toContain('hx-confirm=')
  })

  it('needs the CSRF token and a choice per field; errors show in the card (422) and change nothing', async () => {
    const ch = (await c.userApi.list('?state=conflict')).body.results[0]
    const noToken = await send(s, 'POST', `${one(ch.id)}/resolve`, {
      session: me,
      form: { choice_title: 'igny8' },
      headers: { 'hx-request': 'true' },
    })
    expect(noToken.status).toBe(403)
    const missing = await htmxPost(s, me, `${one(ch.id)}/resolve`, { choice_title: 'igny8' })
    expect(missing.status).toBe(422)
    expect(missing.text).toContain('Choose IGNY8, WordPress or a custom value.')
    expect(missing.text).toMatch(/^<section id="change"/)
    const badStatus = await conflictOn(3, { status: 'draft' }, { status: 'private' })
    const invalid = await htmxPost(s, me, `${one(badStatus.id)}/resolve`, { choice_status: 'custom', value_status: 'bogus' })
    expect(invalid.status).toBe(422)
    expect(invalid.text).toContain('Must be one of publish, draft, pending, private.')
    expect((await c.userApi.get(ch.id)).body.data.state).toBe('conflict')
    expect((await c.userApi.get(badStatus.id)).body.data.state).toBe('conflict')
  })

  it('resolves per field (IGNY8, WordPress, custom) and answers the card with the change pending again', async () => {
    const ch = (await c.userApi.list('?state=conflict')).body.results.find((x: any) => x.external_id === 2)
    const res = await htmxPost(s, me, `${one(ch.id)}/resolve`, {
      choice_title: 'custom',
      value_title: 'Merged\r\ntitle',
      choice_excerpt: 'wordpress',
      value_excerpt: 'ignored',
    })
    expect(res.status).toBe(200)
    expect(res.text).toContain('Resolved')
    const after = (await c.userApi.get(ch.id)).body.data
    expect(after).toMatchObject({ state: 'pending', fields: { title: 'Merged\r\ntitle' }, base_modified_at: LATER, conflict: null })
  })

  it('is cancelled by DELETE with the CSRF header; without it 403; another user 404', async () => {
    const ch = (await c.userApi.list('?state=conflict')).body.results[0]
    expect((await htmxDelete(one(ch.id), me, '')).status).toBe(403)
    const other = await s.user()
    expect((await htmxDelete(one(ch.id), await login(s, other.email, other.password))).status).toBe(404)
    expect((await get(one(ch.id), await login(s, other.email, other.password))).status).toBe(404)
    const res = await htmxDelete(one(ch.id))
    expect(res.status).toBe(200)
    expect(res.text).toContain('Change cancelled.')
    expect((await c.userApi.get(ch.id)).body.data.state).toBe('cancelled')
    // The tab's count follows, out of band.
    expect(res.text).toMatch(/<span id="open-changes" hx-swap-oob="true">( \(\d+\))?<\/span>$/)
    // A cancelled change cannot be cancelled again: 409 goes to the toast.
    expect((await htmxDelete(one(ch.id))).status).toBe(409)
  })

  it('answers 404 to another user resolving, even with their own token', async () => {
    const ch = await conflictOn(3, { title: 'Mine' }, { title: 'Yours' })
    const other = await s.user()
    const them = await login(s, other.email, other.password)
    expect((await htmxPost(s, them, `${one(ch.id)}/resolve`, { choice_title: 'igny8' })).status).toBe(404)
    expect((await c.userApi.get(ch.id)).body.data.state).toBe('conflict')
    await c.userApi.cancel(ch.id)
  })

  it('takes a custom terms value as JSON, and says so when it is not JSON', async () => {
    const ch = await conflictOn(3, { terms: { category: [13] } }, { terms: { category: [] } })
    const page = await get(one(ch.id))
    expect(page.text).toContain('data-field="terms"')
    expect(page.text).toContain('A custom value is JSON, as shown.')
    const bad = await htmxPost(s, me, `${one(ch.id)}/resolve`, { choice_terms: 'custom', value_terms: '{category: 12' })
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('Enter the value as JSON, as shown.')
    const unknown = await htmxPost(s, me, `${one(ch.id)}/resolve`, { choice_terms: 'custom', value_terms: '{"category":[999]}' })
    expect(unknown.status).toBe(422)
    expect(unknown.text).toContain('No stored category term has id 999.')
    const ok = await htmxPost(s, me, `${one(ch.id)}/resolve`, { choice_terms: 'custom', value_terms: '{"category":[12,13]}' })
    expect(ok.status).toBe(200)
    expect((await c.userApi.get(ch.id)).body.data).toMatchObject({ state: 'pending', fields: { terms: { category: [12, 13] } } })
  })

  it('resolves by a plain form post too (redirect back to the change)', async () => {
    const ch = await conflictOn(1, { slug: 'ours' }, { slug: 'theirs' })
    const res = await post(s, me, `${one(ch.id)}/resolve`, { choice_slug: 'wordpress' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(one(ch.id))
  })
})
