// Push-back end to end: a real WordPress 6.1 with the plugin, the compiled backend on loopback (behind a
// recording proxy). Connect registers the nudge endpoint; an edit made through the backend's API reaches
// WordPress within 15 s (nudged), its save_post echo is `unchanged`, an edit on a stale base gets
// `conflict`, a draft made in IGNY8 becomes a WordPress post with its terms, and a change leased again is
// never applied twice. The tests run in order and share one site.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test'
import { createHmac } from 'node:crypto'
import { startWordPress, type WordPress } from '../wordpress/harness'
import { startBackend, type Backend } from './backend'
import {
  igny8Events,
  igny8Options,
  installPlugin,
  pluginLogs,
  activatePlugin,
  routeServed,
  settingsUrl,
  until,
  type PluginSite,
} from './helpers'
import { startProxy } from './proxy'

setDefaultTimeout(90_000)

let wp: WordPress
let site: PluginSite
let srv: Backend
let proxy: ReturnType<typeof startProxy>
let owner: Awaited<ReturnType<Backend['user']>>
let ids: Awaited<ReturnType<Backend['site']>>
let postId: number
let nudgeSecret = ''

beforeAll(async () => {
  // The nudge URL is on loopback: the backend refuses such targets unless told this WordPress is local.
  ;[wp, srv] = await Promise.all([startWordPress(), startBackend(['--pull-allow-private'])])
  site = await installPlugin(wp)
  await activatePlugin(wp)
  await routeServed(wp)
  owner = await srv.user()
  ids = await srv.site(owner.token, wp.url)
  proxy = startProxy(srv.base)
  postId = wp.fixtures.ids.posts[0]!
}, 300_000)

afterAll(async () => {
  proxy?.stop()
  await wp?.stop()
  await srv?.close()
}, 60_000)

const php = (s: unknown) => JSON.stringify(s)
const integ = () => `/api/v1/integration/integrations/${ids.integrationId}`
const asUser = (method: string, path: string, body?: unknown) => srv.call(method, integ() + path, { token: owner.token, body })
const wpPost = async (id: number) =>
  JSON.parse(
    await wp.wpEval(`$p = get_post(${id}); echo json_encode($p ? ['title' => $p->post_title, 'status' => $p->post_status, 'type' => $p->post_type,
      'content' => $p->post_content, 'modified_gmt' => $p->post_modified_gmt,
      'categories' => wp_get_object_terms(${id}, 'category', ['fields' => 'ids']),
      'seo_title' => get_post_meta(${id}, '_igny8_seo_title', true)] : null);`),
  )
const change = async (cid: number) => (await asUser('GET', `/changes/${cid}/`)).body.data
const contentEvents = async () =>
  ((await asUser('GET', '/sync-events/?page_size=200')).body.results as any[]).filter((e) => e.kind === 'content')
const logLines = (needle: string) =>
  pluginLogs(site)
    .php.split('\n')
    .filter((l) => l.includes(needle))

describe('push-back through the plugin', () => {
  it('Connect registers the nudge endpoint and keeps its secret out of autoload', async () => {
    const r = JSON.parse(
      await wp.wpEval(`echo json_encode(Igny8_Connection::connect(${php(`${proxy.url}/api/v1`)}, '', '', ${php(ids.key)}));`),
    )
    expect(r.messages.map((m: string[]) => m[1])).toEqual(['Successfully connected to IGNY8 API', 'Site structure synced successfully'])
    expect(proxy.state.seen).toContain(`PUT ${integ()}/plugin-endpoint/`)
    const o = await igny8Options(wp)
    expect(o.igny8_nudge_secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    nudgeSecret = o.igny8_nudge_secret!
    expect(o.igny8_nudge_url).toBe((await wp.wpEval(`echo rest_url('igny8/v1/nudge');`)).trim())
    const autoload = await wp.wpEval(
      `global $wpdb; echo $wpdb->get_var("SELECT autoload FROM {$wpdb->options} WHERE option_name = 'igny8_nudge_secret'");`,
    )
    expect(autoload.trim()).toBe('no')
    // the 5-minute poll is scheduled
    const polls = (await igny8Events(wp)).igny8_pushback_poll ?? []
    expect(polls.some((e) => e.schedule === 'igny8_five_minutes')).toBe(true)
    // what IGNY8 edits must be stored there first
    expect((await wp.wpEval(`echo json_encode(Igny8_Content_Sync::run());`)).trim()).toBe('true')
    // and a finished sync asks for a poll at once
    expect(((await igny8Events(wp)).igny8_pushback_poll ?? []).filter((e) => e.schedule === false)).toHaveLength(1)
    expect((await igny8Options(wp)).igny8_pushback_wanted).toBeTruthy()
    expect((await asUser('GET', `/content/${postId}/`)).status).toBe(200)
  })

  it('delivers a title edited in IGNY8 to WordPress within 15 s, nudged; the save_post echo is unchanged', async () => {
    const eventsBefore = (await contentEvents()).length
    const t0 = Date.now()
    const res = await asUser('PATCH', `/content/${postId}/`, { title: 'Edited in IGNY8 & sent back', seo: { title: 'SEO from IGNY8' } })
    expect(res.status).toBe(202)
    const cid = res.body.data.id as number
    await until(async () => (await wpPost(postId)).title === 'Edited in IGNY8 &amp; sent back', 15_000, 'the title in WordPress')
    expect(Date.now() - t0).toBeLessThan(15_000)
    expect(logLines('IGNY8: Nudge accepted').length).toBeGreaterThan(0)
    expect((await wpPost(postId)).seo_title).toBe('SEO from IGNY8') // no SEO plugin here: the plugin's own meta
    const applied = await until(async () => ((await change(cid)).state === 'applied' ? change(cid) : null), 15_000, 'the change applied')
    expect(applied.delivery).toBe('plugin')
    const item = (await asUser('GET', `/content/${postId}/`)).body.data
    expect(item.title).toBe('Edited in IGNY8 & sent back')
    expect(item.seo).toEqual({ title: 'SEO from IGNY8', description: '' })
    expect(item.modified_at).toBe(`${(await wpPost(postId)).modified_gmt.replace(' ', 'T')}+00:00`)
    // the echo from save_post arrives after the result and changes nothing
    const echo = await until(
      async () => {
        const events = await contentEvents() // newest first
        return events.slice(0, events.length - eventsBefore).find((e) => e.counts?.unchanged >= 1)
      },
      15_000,
      'the save_post echo in the sync log',
    )
    expect(echo.counts).toMatchObject({ created: 0, updated: 0, unchanged: 1 })
    const q = JSON.parse(await wp.wpEval(`echo json_encode(Igny8_Queue::load()['items']);`))
    expect(q).toEqual([])
  })

  it('answers conflict to an edit on a stale base and writes nothing', async () => {
    // WordPress changes the title meanwhile, and IGNY8 does not hear of it (the echo is dropped here).
    await Bun.sleep(1100) // a new post_modified_gmt second
    await wp.wpEval(
      `wp_update_post(['ID' => ${postId}, 'post_title' => 'Changed in WordPress']); delete_option('igny8_queue'); wp_clear_scheduled_hook('igny8_process_queue');`,
    )
    const res = await asUser('PATCH', `/content/${postId}/`, { title: 'Changed in IGNY8' })
    expect(res.status).toBe(202)
    const cid = res.body.data.id as number
    const c = await until(async () => ((await change(cid)).state === 'conflict' ? change(cid) : null), 15_000, 'the change in conflict')
    expect(c.conflict.fields.title).toEqual({
      base: 'Edited in IGNY8 & sent back',
      igny8: 'Changed in IGNY8',
      wordpress: 'Changed in WordPress',
    })
    expect(logLines(`IGNY8: Push-back change ${cid}: conflict`).length).toBe(1)
    expect((await wpPost(postId)).title).toBe('Changed in WordPress')
    // leave nothing open for the next tests
    expect((await asUser('DELETE', `/changes/${cid}/`)).status).toBe(200)
  })

  it('turns a draft made in IGNY8 into a WordPress post with its terms, and stores its WordPress id', async () => {
    const cat = Object.values(wp.fixtures.ids.categories)[0]!
    const res = await asUser('POST', '/content/', {
      post_type: 'post',
      title: 'Drafted in IGNY8',
      content: '<!-- wp:paragraph --><p>Written in IGNY8.</p><!-- /wp:paragraph -->',
      terms: { category: [cat] },
    })
    expect(res.status).toBe(202)
    expect(res.body.data).toMatchObject({ kind: 'create', external_id: null })
    const cid = res.body.data.id as number
    const c = await until(async () => ((await change(cid)).state === 'applied' ? change(cid) : null), 15_000, 'the new post applied')
    const id = c.external_id as number
    expect(id).toBeGreaterThan(0)
    const p = await wpPost(id)
    expect(p).toMatchObject({ title: 'Drafted in IGNY8', status: 'draft', type: 'post', categories: [cat] })
    expect(p.content).toBe('<!-- wp:paragraph --><p>Written in IGNY8.</p><!-- /wp:paragraph -->')
    const stored = (await asUser('GET', `/content/${id}/`)).body.data
    expect(stored).toMatchObject({ external_id: id, title: 'Drafted in IGNY8', status: 'draft', terms: { category: [cat] } })
    // the draft's save_post would be a delete to the real-time queue: it is not sent, the item stays
    await Bun.sleep(2000)
    expect((await asUser('GET', `/content/${id}/`)).status).toBe(200)
  })

  it('never applies a change twice: leased again after its answer was lost, it re-answers the first result', async () => {
    // The plugin applies the new post, but its answer is lost (the proxy fails it with a 502).
    proxy.state.mode = { kind: 'fail', path: /\/changes\/\d+\/result\/?$/, status: 502 }
    const res = await asUser('POST', '/content/', { post_type: 'post', title: 'Created exactly once' })
    expect(res.status).toBe(202)
    const cid = res.body.data.id as number
    // (no time bound is under test here: a loaded machine may take a while)
    await until(async () => logLines('IGNY8: Push-back poll').some((l) => l.includes('HTTP 502')), 60_000, 'a poll whose answer was lost')
    const count = async () =>
      Number(
        (
          await wp.wpEval(
            `echo count(get_posts(['title' => 'Created exactly once', 'post_status' => 'any', 'post_type' => 'post', 'numberposts' => -1]));`,
          )
        ).trim(),
      )
    expect(await count()).toBe(1)
    const leased = await change(cid)
    expect(leased.state).toBe('delivering')
    // IGNY8 hands the same change out again (as it does once the lease runs out); the plugin polls.
    proxy.state.mode = {
      kind: 'rewrite',
      path: /\/changes\/pending\/?$/,
      fn: (body: any) => ({ ...body, count: 1, results: [leased] }),
    }
    await wp.wpEval(`Igny8_Pushback::poll('test');`)
    proxy.state.mode = { kind: 'pass' }
    expect(await count()).toBe(1)
    const done = await change(cid)
    expect(done.state).toBe('applied')
    const id = Number(
      (await wp.wpEval(`echo get_posts(['title' => 'Created exactly once', 'post_status' => 'any', 'fields' => 'ids'])[0];`)).trim(),
    )
    expect(done.external_id).toBe(id)
  })

  it('shows on the settings page that nudges are on and what the last poll did', async () => {
    const login = await fetch(`${wp.url}/wp-login.php`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
      body: new URLSearchParams({ log: wp.adminUser, pwd: wp.adminPassword, testcookie: '1', redirect_to: `${wp.url}/wp-admin/` }),
    })
    expect(login.status).toBe(302)
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const html = await (await fetch(settingsUrl(wp), { headers: { cookie } })).text()
    const cell = html.match(/<td id="igny8-status-pushback">([^<]*)<\/td>/)?.[1]
    expect(cell).toMatch(/^Nudges on\. Last checked .+: 1 applied\.$/)
  })

  it('Disconnect forgets the nudge secret and the applied changes, and stops polling', async () => {
    const before = await igny8Options(wp)
    expect(before.igny8_nudge_secret).toBeTruthy()
    expect(before.igny8_pushback_applied).toBeTruthy()
    await wp.wpEval(`Igny8_Connection::disconnect();`)
    const o = await igny8Options(wp)
    for (const name of ['igny8_nudge_secret', 'igny8_nudge_url', 'igny8_pushback_applied', 'igny8_pushback_wanted'])
      expect(o[name]).toBeUndefined()
    expect((await igny8Events(wp)).igny8_pushback_poll).toBeUndefined()
    // a nudge signed with the old secret is refused now
    const body = JSON.stringify({ integration: ids.integrationId, pending: 1 })
    const id = 'msg_after_disconnect'
    const ts = Math.floor(Date.now() / 1000)
    const key = Buffer.from(before.igny8_nudge_secret!.slice('whsec_'.length), 'base64')
    const sig = `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`
    const res = await fetch(before.igny8_nudge_url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig },
      body,
    })
    expect(res.status).toBe(401)
    expect((await igny8Events(wp)).igny8_pushback_poll).toBeUndefined()
  })

  it('raised no PHP error, warning or notice in its files, and logged no secret', async () => {
    const logs = pluginLogs(site)
    expect(logs.errors).toBe('')
    expect(logs.php).not.toContain(nudgeSecret)
    expect(logs.php).not.toContain(nudgeSecret.slice('whsec_'.length))
    expect(logs.php).not.toContain(ids.key)
  })
})
