// Admin form posts accept small bodies only: one just over the limit gets 413 as an HTML error page,
// one just under is handled as usual. The JSON API keeps its own, larger limits.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { ADMIN_FORM_LIMIT } from '../../src/http/body'
import { countRows } from '../../src/db/client'
import { sites } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession } from '../admin/client'

let s: TestServer
let admin: Awaited<ReturnType<typeof adminSession>>
beforeAll(async () => {
  s = await startServer()
  admin = await adminSession(s)
}, 30_000)
afterAll(() => s.stop(), 30_000)

/** A urlencoded body of exactly `size` bytes: the fields given, then `pad` filled up. */
function formOf(size: number, fields: Record<string, string>): string {
  const head = new URLSearchParams(fields).toString() + '&pad='
  return head + 'a'.repeat(size - head.length)
}

type Sent = { status: number; type: string; text: string }
async function postRaw(path: string, body: string, o: { chunked?: boolean; session?: boolean; htmx?: boolean } = {}): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (o.session) headers.cookie = admin.session.cookie
  if (o.htmx) headers['hx-request'] = 'true'
  // A stream has no declared length: Bun sends it chunked, so the server must count what arrives.
  const payload = o.chunked ? new Blob([body]).stream() : body
  const res = await fetch(s.base + path, { method: 'POST', headers, body: payload, redirect: 'manual' })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

const expectTooLarge = (res: Sent) => {
  expect(res.status).toBe(413)
  expect(res.type).toStartWith('text/html')
  expect(res.text).toContain('id="error-message"')
  expect(res.text).not.toContain('"success"')
}

describe('admin form bodies', () => {
  it('are limited to 64 KB', () => {
    expect(ADMIN_FORM_LIMIT).toBe(64 * 1024)
  })

  it.each([
    ['POST /login', '/login', false],
    ['POST /setup', '/setup', false],
    ['POST /sites (signed in)', '/sites', true],
  ])('%s answers 413 as an HTML page one byte over the limit', async (_name, path, session) => {
    const fields: Record<string, string> = session
      ? { _csrf: admin.session.csrf, name: 'Big', url: 'https://big.example.com' }
      : { email: 'a@example.com' }
    expectTooLarge(await postRaw(path, formOf(ADMIN_FORM_LIMIT + 1, fields), { session }))
  })

  it('counts a chunked body as it arrives (no Content-Length to trust)', async () => {
    expectTooLarge(await postRaw('/login', formOf(ADMIN_FORM_LIMIT + 1, { email: 'a@example.com' }), { chunked: true }))
    const under = await postRaw('/login', formOf(ADMIN_FORM_LIMIT, { email: 'a@example.com', password: 'x' }), { chunked: true })
    expect(under.status).not.toBe(413)
  })

  it('answers htmx with the same error document, whose message the layout lifts into the toast', async () => {
    const fields = { _csrf: admin.session.csrf, name: 'Big', url: 'https://big.example.com' }
    expectTooLarge(await postRaw('/sites', formOf(ADMIN_FORM_LIMIT + 1, fields), { session: true, htmx: true }))
  })

  it('creates nothing when the body is too large, and handles the same form just under the limit', async () => {
    const before = await countRows(s.db, sites)
    const fields = { _csrf: admin.session.csrf, name: 'Edge', url: 'https://edge.example.com' }
    expectTooLarge(await postRaw('/sites', formOf(ADMIN_FORM_LIMIT + 1, fields), { session: true }))
    expect(await countRows(s.db, sites)).toBe(before)
    const under = await postRaw('/sites', formOf(ADMIN_FORM_LIMIT, fields), { session: true })
    expect(under.status).toBe(201)
    expect(await countRows(s.db, sites)).toBe(before + 1)
  })

  it('a login just under the limit is read as a form (422 for the over-long password, not 413)', async () => {
    const res = await postRaw('/login', formOf(ADMIN_FORM_LIMIT, { email: 'a@example.com', password: 'x'.repeat(2000) }))
    expect(res.status).toBe(422)
    expect(res.text).toContain('name="email"')
  })
})

describe('admin posts that are not forms', () => {
  it('answer 415 as an HTML page: the admin takes urlencoded forms only', async () => {
    const res = await fetch(s.base + '/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'x' }),
      redirect: 'manual',
    })
    expect(res.status).toBe(415)
    expect(res.headers.get('content-type')).toStartWith('text/html')
    expect(await res.text()).toContain('application/x-www-form-urlencoded')
  })
})

describe('the JSON API', () => {
  it('still takes bodies far larger than an admin form', async () => {
    const res = await s.call('POST', '/api/v1/system/sites/', {
      token: admin.token,
      raw: JSON.stringify({ name: 'Api', url: 'https://api.example.com', pad: 'a'.repeat(ADMIN_FORM_LIMIT * 4) }),
    })
    expect(res.status).toBe(201)
  })
})
