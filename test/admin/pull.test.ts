// Site → Pull from WordPress over plain HTTP (no real WordPress): saving, refusing and deleting credentials,
// CSRF and tenancy, the password never shown again, "Sync now" while a pull runs (409), the daily job card.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession, htmxPost, post, send } from './client'

const PASSWORD = 'Zq7x Wv3k Pm9r Ty2b Hn5c Lj8d'
const PUBLIC_WP = 'http://93.184.216.34' // a public address: saving does not connect, so nothing leaves loopback

let s: TestServer // pull-allow-private off, as in production
let me: Awaited<ReturnType<typeof adminSession>>
let site: Awaited<ReturnType<TestServer['site']>>
const base = () => `/sites/${site.siteId}/pull`
const creds = (o: Record<string, string> = {}) => ({ wp_url: PUBLIC_WP, username: 'editor', app_password: PASSWORD, ...o })

beforeAll(async () => {
  s = await startServer()
  me = await adminSession(s, { admin: false })
  site = await s.site(me.token)
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /sites/{id}/pull', () => {
  it('explains pull mode, shows the form and the tab; no daily job for a non-administrator', async () => {
    const res = await send(s, 'GET', base(), { session: me.session })
    expect(res.status).toBe(200)
    expect(res.text).toContain('Application Password')
    expect(res.text).toContain('Users → Profile')
    expect(res.text).toContain('WordPress 5.6 or later')
    expect(res.text).toMatch(/<a href="\/sites\/\d+\/pull" class="tab active"/)
    expect(res.text).toContain('Save the WordPress credentials first.')
    expect(res.text).toMatch(/<button type="submit" class="btn btn-primary" disabled>Sync now/)
    expect(res.text).not.toContain('id="daily-job"')
  })

  it('shows an administrator the daily job with its next run', async () => {
    const admin = await adminSession(s)
    const mine = await s.site(admin.token)
    const res = await send(s, 'GET', `/sites/${mine.siteId}/pull`, { session: admin.session })
    expect(res.text).toContain('id="daily-job"')
    expect(res.text).toMatch(/Next run<\/dt>\s*<dd>\s*\d{4}-\d\d-\d\d 03:00:00 UTC/)
    expect(res.text).toContain('Run daily job now')
  })
})

describe('POST /sites/{id}/pull/credentials', () => {
  it.each([
    ['a plain form', false],
    ['htmx', true],
  ])('refuses a loopback WordPress URL through %s with 422, naming the field', async (_, htmx) => {
    const form = creds({ wp_url: 'http://127.0.0.1:8080' })
    const res = htmx
      ? await htmxPost(s, me.session, `${base()}/credentials`, form)
      : await post(s, me.session, `${base()}/credentials`, form)
    expect(res.status).toBe(422)
    if (htmx) expect(res.text.trimStart()).toStartWith('<section class="card" id="pull-credentials">')
    expect(res.text).toMatch(/<p class="error" id="f-wp_url-error">[^<]*(private|loopback|local)/i)
    expect(res.text).toContain('value="http://127.0.0.1:8080"') // the URL is kept to correct it
    expect(res.text).not.toContain(PASSWORD)
    expect(
      (await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/pull-credentials/`, { token: me.token })).body.data
        .configured,
    ).toBe(false)
  })

  it('answers 422 with a message per missing field', async () => {
    const res = await htmxPost(s, me.session, `${base()}/credentials`, { wp_url: 'not a url', username: '', app_password: '' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('id="f-wp_url-error"')
    expect(res.text).toContain('id="f-username-error"')
    expect(res.text).toContain('id="f-app_password-error"')
  })

  it('answers 403 without the CSRF token and stores nothing', async () => {
    const res = await send(s, 'POST', `${base()}/credentials`, { session: me.session, form: creds() })
    expect(res.status).toBe(403)
    expect(res.text).toContain('The form has expired')
    const api = await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/pull-credentials/`, { token: me.token })
    expect(api.body.data.configured).toBe(false)
  })

  it('saves through a plain form and redirects back; the password never appears again', async () => {
    const res = await post(s, me.session, `${base()}/credentials`, creds({ include_content: '1' }))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${base()}?m=pull-saved`)
    const page = await send(s, 'GET', res.headers.get('location')!, { session: me.session })
    expect(page.text).toContain('WordPress credentials saved.')
    expect(page.text).toMatch(
      /Configured ✓<\/span>\s*for user <strong>editor<\/strong> at <span class="truncate">http:\/\/93\.184\.216\.34</,
    )
    expect(page.text).toContain('the structure and the content')
    expect(page.text).toMatch(/<input type="checkbox" name="content" value="1" checked \/>/)
    const again = await htmxPost(s, me.session, `${base()}/credentials`, creds())
    expect(again.status).toBe(200)
    expect(again.text).toContain('Credentials saved.')
    expect(again.text).toContain('<section class="card" id="pull-sync" hx-swap-oob="true">')
    for (const path of [
      base(),
      `/sites/${site.siteId}/connection`,
      `/sites/${site.siteId}/sync-log`,
      `/sites/${site.siteId}/content-types`,
    ]) {
      const html = (await send(s, 'GET', path, { session: me.session })).text
      expect(html).not.toContain(PASSWORD)
      expect(html).not.toContain('Zq7x')
    }
    expect(again.text).not.toContain(PASSWORD)
    expect(page.text).toMatch(/<input\s+id="f-app_password"\s+name="app_password"\s+type="password"\s+value=""/)
  })

  it('answers 404 for another tenant’s site, for every action', async () => {
    const other = await adminSession(s, { admin: false })
    expect((await send(s, 'GET', base(), { session: other.session })).status).toBe(404)
    for (const path of ['/credentials', '/credentials/delete', '/test', ''])
      expect((await post(s, other.session, base() + path, creds())).status).toBe(404)
    expect((await send(s, 'GET', base(), { session: me.session })).text).toContain('Configured ✓')
  })
})

describe('POST /sites/{id}/pull/credentials/delete', () => {
  it('deletes through htmx: the form comes back and Sync now is disabled again', async () => {
    const res = await htmxPost(s, me.session, `${base()}/credentials/delete`)
    expect(res.status).toBe(200)
    expect(res.text).toContain('Credentials deleted.')
    expect(res.text).toContain('Save credentials')
    expect(res.text).toMatch(/class="btn btn-primary" disabled>Sync now/)
    const api = await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/pull-credentials/`, { token: me.token })
    expect(api.body.data.configured).toBe(false)
  })

  it('deletes through a plain form, redirecting back', async () => {
    await post(s, me.session, `${base()}/credentials`, creds())
    const res = await post(s, me.session, `${base()}/credentials/delete`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${base()}?m=pull-deleted`)
    expect((await send(s, 'GET', base(), { session: me.session })).text).not.toContain('Configured ✓')
  })
})

describe('Test connection and Sync now against a WordPress that refuses the password', () => {
  let lan: TestServer // a server that may pull from this machine
  let wp: ReturnType<typeof Bun.serve>
  let delay = 0
  beforeAll(async () => {
    lan = await startServer({ 'pull-allow-private': 'true' })
    wp = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async () => {
        await Bun.sleep(delay)
        return Response.json(
          { code: 'incorrect_password', message: 'The provided password is an invalid application password.' },
          { status: 401 },
        )
      },
    })
  }, 30_000)
  afterAll(async () => {
    wp.stop(true)
    await lan.stop()
  }, 30_000)

  it('shows the refusal in place, records an error event, and answers 409 while a pull runs', async () => {
    const u = await adminSession(lan, { admin: false })
    const mine = await lan.site(u.token)
    const at = `/sites/${mine.siteId}/pull`
    expect((await post(lan, u.session, `${at}/credentials`, creds({ wp_url: `http://127.0.0.1:${wp.port}` }))).status).toBe(303)

    const test = await htmxPost(lan, u.session, `${at}/test`)
    expect(test.status).toBe(200)
    expect(test.text).toContain('Connection failed.')
    expect(test.text).toContain('rejected the username or Application Password')
    const typed = await htmxPost(lan, u.session, `${at}/test`, { wp_url: 'ftp://x', username: 'a', app_password: 'b' })
    expect(typed.status).toBe(422)
    expect(typed.text).toContain('http(s) address')
    const junk = await htmxPost(lan, u.session, `${at}/test`, { wp_url: 'not a url', username: 'a', app_password: 'b' })
    expect([junk.status, junk.text.includes('http(s) address')]).toEqual([422, true])

    const sync = await htmxPost(lan, u.session, at)
    expect(sync.status).toBe(200)
    expect(sync.text).toContain('data-status="error"')
    expect(sync.text).toContain('rejected the username or Application Password')
    expect(sync.text).toContain(`href="/sites/${mine.siteId}/sync-log"`)

    delay = 800
    const first = htmxPost(lan, u.session, at)
    await Bun.sleep(200)
    const second = await htmxPost(lan, u.session, at)
    expect(second.status).toBe(409)
    expect(second.text).toContain('Already running.')
    const plain = await post(lan, u.session, at)
    expect(plain.status).toBe(303)
    expect(plain.headers.get('location')).toBe(`${at}?m=pull-running`)
    expect((await first).status).toBe(200)
    delay = 0
    const page = await send(lan, 'GET', at, { session: u.session })
    expect(page.text).toContain('Last pull')
    expect(page.text).not.toContain(PASSWORD)
  }, 20_000)

  it('runs the daily job for an administrator only', async () => {
    const admin = await adminSession(lan)
    const mine = await lan.site(admin.token)
    const res = await htmxPost(lan, admin.session, `/sites/${mine.siteId}/daily-job`)
    expect(res.status).toBe(200)
    expect(res.text.trimStart()).toStartWith('<section class="card" id="daily-job">')
    expect(res.text).toContain('Daily job finished')
    expect(res.text).toContain('rejected the username or Application Password') // the other user's site was pulled too
    const user = await adminSession(lan, { admin: false })
    const theirs = await lan.site(user.token)
    expect((await htmxPost(lan, user.session, `/sites/${theirs.siteId}/daily-job`)).status).toBe(403)
    const plain = await post(lan, admin.session, `/sites/${mine.siteId}/daily-job`)
    expect(plain.headers.get('location')).toBe(`/sites/${mine.siteId}/pull?m=job-ran`)
    expect((await send(lan, 'GET', `/sites/${mine.siteId}/pull`, { session: admin.session })).text).toMatch(/Last run<\/dt>\s*<dd>\s*<time/)
  }, 20_000)
})

describe('Sync now while a pull takes long', () => {
  let lan: TestServer
  let wp: ReturnType<typeof Bun.serve>
  let release = () => {}
  let held = Promise.resolve()
  beforeAll(async () => {
    lan = await startServer({ 'pull-allow-private': 'true' })
    // A WordPress that takes as long as the test wants to list its post types.
    wp = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (req) => {
        const path = new URL(req.url).pathname
        if (path.endsWith('/users/me')) return Response.json({ id: 1, name: 'admin' })
        if (path.endsWith('/wp/v2/types')) await held
        return Response.json({}, { headers: { 'x-wp-total': '0' } })
      },
    })
  }, 30_000)
  afterAll(async () => {
    release()
    wp.stop(true)
    await lan.stop()
  }, 30_000)

  it('answers at once with a card that polls the pull’s status until its result is there', async () => {
    const u = await adminSession(lan, { admin: false })
    const mine = await lan.site(u.token)
    const at = `/sites/${mine.siteId}/pull`
    expect((await post(lan, u.session, `${at}/credentials`, creds({ wp_url: `http://127.0.0.1:${wp.port}` }))).status).toBe(303)
    held = new Promise<void>((r) => (release = r))

    const started = Date.now()
    const sync = await Promise.race([htmxPost(lan, u.session, at), Bun.sleep(3000).then(() => null)])
    expect(sync).not.toBeNull() // the browser is not left waiting on the pull
    expect(Date.now() - started).toBeLessThan(3000)
    expect(sync!.status).toBe(200)
    expect(sync!.text).toContain(`hx-get="${at}/status"`)
    expect(sync!.text).toContain('hx-trigger="load delay:')
    const page = await send(lan, 'GET', at, { session: u.session })
    expect(page.text).toContain(`hx-get="${at}/status"`) // a reload keeps polling too

    const polled = await send(lan, 'GET', `${at}/status`, { session: u.session, headers: { 'hx-request': 'true' } })
    expect(polled.status).toBe(200)
    expect(polled.text).toContain(`hx-get="${at}/status"`)
    // A second Sync now meanwhile says so, and keeps polling for the first one's result.
    const again = await htmxPost(lan, u.session, at)
    expect(again.status).toBe(409)
    expect(again.text).toContain('Already running.')
    expect(again.text).toContain(`hx-get="${at}/status"`)

    release()
    let done = ''
    for (let i = 0; i < 50 && !done; i++) {
      await Bun.sleep(100)
      const r = await send(lan, 'GET', `${at}/status`, { session: u.session, headers: { 'hx-request': 'true' } })
      if (!r.text.includes('hx-get=')) done = r.text
    }
    expect(done).toContain('data-status="ok"')
    expect(done).toContain('hx-swap-oob') // the header's status badge
    const other = await adminSession(lan, { admin: false })
    expect((await send(lan, 'GET', `${at}/status`, { session: other.session })).status).toBe(404)
  }, 20_000)
})
