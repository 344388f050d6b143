// The plugin's `conflict` answer: three-way merge per field, re-basing, manual conflicts and their resolution.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { contentChanges } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { editableSite, post, type EditableSite } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const LATER = '2025-11-24T08:00:00Z'
/** Edits post 1, lets the plugin take it, and answers conflict with WordPress's post changed by `wp`. */
async function conflictOn(c: EditableSite, edit: Record<string, unknown>, wp: Record<string, unknown>) {
  const change = (await c.userApi.patch(1, edit)).body.data
  await c.plugin.pending()
  const res = await c.plugin.result(change.id, { status: 'conflict', item: post(1, { ...wp, modified_at: LATER }) })
  expect(res.status).toBe(200)
  return res.body.data
}
const policy = (c: EditableSite, p: string) =>
  s.call('PATCH', `/api/v1/integration/integrations/${c.integrationId}/`, {
    token: c.user.token,
    body: { config_json: { conflict_policy: p } },
  })

describe('a conflict answer', () => {
  it('re-bases a change whose fields WordPress did not touch, and stores WordPress’s other changes', async () => {
    const c = await editableSite(s)
    const after = await conflictOn(c, { title: 'Ours' }, { slug: 'theirs' })
    expect(after).toMatchObject({ state: 'pending', fields: { title: 'Ours' }, base_modified_at: LATER, conflict: null })
    const row = (await s.db.select().from(contentChanges).where(eq(contentChanges.id, after.id)).get())!
    expect(JSON.parse(row.baseJson)).toEqual({ title: 'Post 1' })
    const list = (await s.call('GET', `${c.base}/content/?search=Post 1`, { token: c.user.token })).body.results
    expect(list[0]).toMatchObject({ slug: 'theirs', modified_at: LATER })
    const events = (await s.call('GET', `${c.base}/sync-events/`, { token: c.user.token })).body.results
    expect(events[0]).toMatchObject({ kind: 'pushback', status: 'ok' })
    expect(events[0].summary).toContain('merged')
    // Delivered on: the next poll hands it out again with the new base.
    expect((await c.plugin.pending()).body.results[0]).toMatchObject({ id: after.id, base_modified_at: LATER })
  })

  it('ends applied when WordPress already made the same edit', async () => {
    const c = await editableSite(s)
    const after = await conflictOn(c, { title: 'Same' }, { title: 'Same' })
    expect(after.state).toBe('applied')
  })

  it('stops in conflict under manual with base, igny8 and wordpress, and writes nothing meanwhile', async () => {
    const c = await editableSite(s)
    const after = await conflictOn(c, { title: 'Ours', slug: 'ours' }, { title: 'Theirs' })
    expect(after.state).toBe('conflict')
    expect(after.conflict).toEqual({ fields: { title: { base: 'Post 1', igny8: 'Ours', wordpress: 'Theirs' } } })
    expect(after.fields).toEqual({ title: 'Ours', slug: 'ours' })
    expect((await c.plugin.pending()).body.count).toBe(0)
    // Another edit merges into the change in conflict.
    const again = await c.userApi.patch(1, { excerpt: 'More' })
    expect(again.body.data).toMatchObject({ id: after.id, state: 'conflict' })
  })

  it('follows wordpress_wins and igny8_wins', async () => {
    const c = await editableSite(s)
    await policy(c, 'wordpress_wins')
    const w = await conflictOn(c, { title: 'Ours', slug: 'ours' }, { title: 'Theirs' })
    expect(w).toMatchObject({ state: 'pending', fields: { slug: 'ours' } })
    await c.userApi.cancel(w.id)
    await policy(c, 'igny8_wins')
    const i = await conflictOn(c, { title: 'Ours again' }, { title: 'Theirs again' })
    expect(i).toMatchObject({ state: 'pending', fields: { title: 'Ours again' } })
  })
})

describe('POST /integration/integrations/{id}/changes/{cid}/resolve/', () => {
  async function inConflict(c: EditableSite) {
    return conflictOn(c, { title: 'Ours', status: 'draft', excerpt: 'Mine' }, { title: 'Theirs', status: 'private', excerpt: 'Yours' })
  }

  it('needs every conflicting field named (400 naming the missing ones) and refuses unknown ones', async () => {
    const c = await editableSite(s)
    const ch = await inConflict(c)
    expect(Object.keys(ch.conflict.fields).sort()).toEqual(['excerpt', 'status', 'title'])
    const res = await c.userApi.resolve(ch.id, { title: 'igny8' })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors).sort()).toEqual(['fields.excerpt', 'fields.status'])
    const extra = await c.userApi.resolve(ch.id, { title: 'igny8', status: 'igny8', excerpt: 'igny8', slug: 'igny8' })
    expect(Object.keys(extra.body.errors)).toEqual(['fields.slug'])
    const badChoice = await c.userApi.resolve(ch.id, { title: 'igny8', status: 'igny8', excerpt: 'maybe' })
    expect(Object.keys(badChoice.body.errors)).toEqual(['fields.excerpt'])
    const badValue = await c.userApi.resolve(ch.id, { title: 'igny8', status: { value: 'trash' }, excerpt: 'igny8' })
    expect(Object.keys(badValue.body.errors)).toEqual(['fields.status.value'])
    expect((await c.userApi.get(ch.id)).body.data.state).toBe('conflict')
  })

  it('goes back to pending on WordPress’s version; wordpress choices leave the change', async () => {
    const c = await editableSite(s)
    const ch = await inConflict(c)
    expect((await c.plugin.resolve(ch.id, { title: 'igny8', status: 'wordpress', excerpt: 'igny8' })).status).toBe(403)
    const res = await c.userApi.resolve(ch.id, { title: 'igny8', status: 'wordpress', excerpt: { value: 'Both of ours' } })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({
      state: 'pending',
      fields: { title: 'Ours', excerpt: 'Both of ours' },
      base_modified_at: LATER,
      conflict: null,
    })
    const row = (await s.db.select().from(contentChanges).where(eq(contentChanges.id, ch.id)).get())!
    expect(JSON.parse(row.baseJson)).toEqual({ title: 'Theirs', excerpt: 'Yours' })
    expect((await c.userApi.resolve(ch.id, { title: 'igny8' })).status).toBe(409)
  })

  it('cancels a change left with no fields', async () => {
    const c = await editableSite(s)
    const ch = await inConflict(c)
    const res = await c.userApi.resolve(ch.id, { title: 'wordpress', status: 'wordpress', excerpt: 'wordpress' })
    expect(res.body.data.state).toBe('cancelled')
  })

  it('lets a conflict be cancelled, and answers 404 to another tenant', async () => {
    const c = await editableSite(s)
    const ch = await inConflict(c)
    const other = await s.user()
    const res = await s.call('POST', `${c.base}/changes/${ch.id}/resolve/`, { token: other.token, body: { fields: {} } })
    expect(res.status).toBe(404)
    expect((await c.userApi.cancel(ch.id)).body.data.state).toBe('cancelled')
  })
})
