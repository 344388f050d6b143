// The plugin's own machinery in a real WordPress against the real backend: token refresh, the API key
// path, the real-time queue (retry with back-off, collapsing, bound) and the resumable content cursor.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test'
import { startWordPress, type WordPress } from '../wordpress/harness'
import { startBackend, type Backend } from './backend'
import { igny8Events, igny8Options, installPlugin, pluginLogs, type PluginSite, activatePlugin, until } from './helpers'
import { startProxy } from './proxy'

// Real WordPress, a real browser and a shared 2-core machine: every step gets a generous bound.
setDefaultTimeout(90_000)

let wp: WordPress
let site: PluginSite
let srv: Backend
let proxy: ReturnType<typeof startProxy>
let owner: Awaited<ReturnType<Backend['user']>>
let ids: Awaited<ReturnType<Backend['site']>>

beforeAll(async () => {
  ;[wp, srv] = await Promise.all([startWordPress(), startBackend()])
  site = await installPlugin(wp)
  await activatePlugin(wp)
  owner = await srv.user()
  ids = await srv.site(owner.token, wp.url)
  proxy = startProxy(srv.base)
}, 300_000)

afterAll(async () => {
  proxy?.stop()
  await wp?.stop()
  await srv?.close()
}, 60_000)

const php = (s: string) => JSON.stringify(s)
/** Connects from PHP (same code path as the form's handler); answers the messages. */
async function connect(o: { email?: string; password?: string; key?: string }) {
  const out = await wp.wpEval(
    `$r = Igny8_Connection::connect(${php(`${proxy.url}/api/v1`)}, ${php(o.email ?? '')}, ${php(o.password ?? '')}, ${php(o.key ?? '')}); echo json_encode($r);`,
  )
  return JSON.parse(out) as { connected: boolean; messages: [string, string][] }
}
const push = async () =>
  JSON.parse(await wp.wpEval(`$r = Igny8_Structure::push(); echo json_encode(is_wp_error($r) ? $r->get_error_code() : $r);`))
const storedPosts = async () =>
  (
    await srv.call('GET', `/api/v1/integration/integrations/${ids.integrationId}/content/?post_type=post&page_size=200`, {
      token: owner.token,
    })
  ).body
const queue = async () => JSON.parse(await wp.wpEval(`echo json_encode(Igny8_Queue::load());`))
const count = (what: string) => proxy.state.seen.filter((s) => s === what).length

describe('tokens', () => {
  it('logs in with email and password, keeping tokens and never the password', async () => {
    const r = await connect({ email: owner.email, password: owner.password })
    expect(r.connected).toBe(true)
    expect(r.messages.map((m) => m[1])).toEqual(['Successfully connected to IGNY8 API', 'Site structure synced successfully'])
    const o = await igny8Options(wp)
    expect(o.igny8_access_token).toBeTruthy()
    expect(o.igny8_refresh_token).toBeTruthy()
    expect(o.igny8_api_key).toBeUndefined()
    expect(JSON.stringify(o)).not.toContain(owner.password)
  })

  it('refreshes a rejected access token once and carries on', async () => {
    const before = await igny8Options(wp)
    await wp.wpEval(`update_option('igny8_access_token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bm90LXZhbGlk', false);`)
    proxy.state.seen.length = 0
    expect(await push()).toBe(true)
    expect(count('POST /api/v1/auth/refresh/')).toBe(1)
    const after = await igny8Options(wp)
    expect(after.igny8_access_token).not.toBe(before.igny8_access_token)
    expect(after.igny8_refresh_token).not.toBe(before.igny8_refresh_token) // rotated
  })

  it('after a failed refresh forgets the tokens and waits for the user to reconnect (no login retry)', async () => {
    await wp.wpEval(
      `update_option('igny8_access_token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bm90LXZhbGlk', false); update_option('igny8_refresh_token', 'not-a-refresh-token', false);`,
    )
    proxy.state.seen.length = 0
    expect(await push()).toBe('igny8_session_expired')
    expect(count('POST /api/v1/auth/login/')).toBe(0)
    const o = await igny8Options(wp)
    expect(o.igny8_access_token).toBeUndefined()
    expect(o.igny8_refresh_token).toBeUndefined()
    expect(o.igny8_last_error).toContain('Reconnect')
  })

  it('works with the API key alone, without any token', async () => {
    const r = await connect({ key: ids.key })
    expect(r.messages.map((m) => m[1])).toEqual(['Successfully connected to IGNY8 API', 'Site structure synced successfully'])
    const o = await igny8Options(wp)
    expect(o.igny8_access_token).toBeUndefined()
    expect(o.igny8_api_key).toBe(ids.key)
    expect(await push()).toBe(true)
  })
})

describe('finding the integration', () => {
  // The seeds: "handle multiple response formats" — paginated (results[0]), array (data[0]), object (data).
  it.each([
    ['an array', (b: any) => ({ success: true, data: b.results })],
    ['an object', (b: any) => ({ success: true, data: b.results[0] })],
    ['paginated inside data', (b: any) => ({ success: true, data: { count: 1, results: b.results } })],
  ])('accepts the integration list as %s', async (_name, fn) => {
    proxy.state.mode = { kind: 'rewrite', path: /\/integration\/integrations\/$/, fn }
    await wp.wpEval(`update_option('igny8_integration_id', 0);`)
    expect(await push()).toBe(true)
    expect((await igny8Options(wp)).igny8_integration_id).toBe(String(ids.integrationId))
    proxy.state.mode = { kind: 'pass' }
  })

  it('says plainly when the site has no WordPress integration', async () => {
    proxy.state.mode = {
      kind: 'rewrite',
      path: /\/integration\/integrations\/$/,
      fn: () => ({ success: true, count: 0, next: null, previous: null, results: [] }),
    }
    expect(await push()).toBe('igny8_no_integration')
    expect((await igny8Options(wp)).igny8_last_error).toContain(`IGNY8 has no WordPress integration for site ${ids.siteId}`)
    proxy.state.mode = { kind: 'pass' }
  })
})

describe('options', () => {
  it('keeps secrets and large options out of autoload', async () => {
    await wp.wpEval(`Igny8_Settings::save_types(['post_types' => ['post' => ['enabled' => true, 'fetch_limit' => 100]]]);`)
    const rows = JSON.parse(
      await wp.wpEval(
        `global $wpdb; echo json_encode($wpdb->get_results("SELECT option_name, autoload FROM {$wpdb->options} WHERE option_name IN ('igny8_api_key','igny8_types','igny8_queue','igny8_last_error')", OBJECT_K));`,
      ),
    )
    expect(Object.keys(rows).sort()).toEqual(['igny8_api_key', 'igny8_last_error', 'igny8_types'].sort())
    for (const r of Object.values(rows) as any[]) expect(r.autoload).toBe('no')
  })
})

describe('the real-time queue', () => {
  let postId = 0

  it('keeps a change whose send failed, and backs off as Retry-After asks', async () => {
    proxy.state.mode = { kind: 'fail', path: /sync-content/, status: 503, retryAfter: 120 }
    postId = Number(await wp.wpEval(`echo wp_insert_post(['post_title' => 'Queued', 'post_status' => 'publish']);`))
    expect((await queue()).items[`post:${postId}`]).toBeTruthy()
    const t0 = Math.floor(Date.now() / 1000)
    await until(
      async () => {
        await fetch(`${wp.url}/wp-cron.php`)
        return (await queue()).attempts === 1
      },
      30_000,
      'a failed send',
    )
    const q = await queue()
    expect(q.items[`post:${postId}`]).toBeTruthy()
    expect(q.next_at).toBeGreaterThanOrEqual(t0 + 120)
    const ev = (await igny8Events(wp)).igny8_process_queue
    expect(ev?.[0]?.next).toBe(q.next_at)
    expect((await igny8Options(wp)).igny8_last_error).toContain('Temporarily unavailable')
  }, 60_000)

  it('collapses repeated edits of one post into one entry', async () => {
    for (const t of ['Queued 2', 'Queued 3', 'Queued 4']) await wp.wpEval(`wp_update_post(['ID' => ${postId}, 'post_title' => ${php(t)}]);`)
    const q = await queue()
    expect(Object.keys(q.items)).toEqual([`post:${postId}`])
  })

  it('sends it once the backend answers again, and empties the queue', async () => {
    proxy.state.mode = { kind: 'pass' }
    // skip the wait: make the retry due now
    await wp.wpEval(`$q = Igny8_Queue::load(); $q['next_at'] = 0; update_option('igny8_queue', $q, false);
      wp_clear_scheduled_hook('igny8_process_queue'); wp_schedule_single_event(time() - 1, 'igny8_process_queue');`)
    const item = await until(
      async () => {
        await fetch(`${wp.url}/wp-cron.php`)
        return (await storedPosts()).results.find((r: any) => r.external_id === postId)
      },
      30_000,
      'the queued post in IGNY8',
    )
    expect(item.title).toBe('Queued 4')
    const q = await queue()
    expect(q.items).toEqual([])
    expect(q.attempts).toBe(0)
  }, 60_000)

  it('is bounded: past its size it flags a full content sync instead of growing', async () => {
    const n =
      await wp.wpEval(`for ($i = 1; $i <= 600; $i++) { Igny8_Queue::add('post:' . (900000 + $i), ['kind' => 'post', 'id' => 900000 + $i]); }
      echo count(Igny8_Queue::load()['items']) . ' ' . (int) get_option('igny8_queue_overflow');`)
    expect(n.trim()).toBe('500 1')
    await wp.wpEval(`delete_option('igny8_queue'); delete_option('igny8_queue_overflow'); wp_clear_scheduled_hook('igny8_process_queue');`)
  }, 120_000)
})

describe('content sync', () => {
  it('resumes from its cursor after a failure instead of starting over', async () => {
    proxy.state.mode = { kind: 'fail', path: /sync-content/, status: 503 }
    proxy.state.seen.length = 0
    const first = await wp.wpEval(`$r = Igny8_Content_Sync::run(); echo is_wp_error($r) ? $r->get_error_code() : json_encode($r);`)
    expect(first.trim()).toBe('igny8_http_503')
    expect(count(`POST /api/v1/integration/integrations/${ids.integrationId}/sync-terms/`)).toBe(3)
    const cursor = JSON.parse(await wp.wpEval(`echo json_encode(get_option('igny8_content_cursor'));`))
    expect(cursor.steps.map((s: any[]) => s.slice(0, 2))).toEqual([
      ['terms', 'category'],
      ['terms', 'post_tag'],
      ['terms', 'product_cat'],
      ['posts', 'post'],
      ['posts', 'page'],
      ['posts', 'product'],
    ])
    expect(cursor.step).toBe(3)

    proxy.state.mode = { kind: 'pass' }
    proxy.state.seen.length = 0
    const second = await wp.wpEval(`$r = Igny8_Content_Sync::run(); echo is_wp_error($r) ? $r->get_error_code() : json_encode($r);`)
    expect(second.trim()).toBe('true')
    expect(count(`POST /api/v1/integration/integrations/${ids.integrationId}/sync-terms/`)).toBe(0)
    expect(count(`POST /api/v1/integration/integrations/${ids.integrationId}/sync-content/`)).toBe(3)
    expect((await storedPosts()).count).toBe(wp.fixtures.posts + 1) // the fixtures and "Queued 4"
    expect((await igny8Options(wp)).igny8_content_cursor).toBeUndefined()
  }, 60_000)

  it('leaves out what an IGNY8 admin disabled or limited there', async () => {
    const patched = await srv.call('PATCH', `/api/v1/integration/integrations/${ids.integrationId}/content-types/`, {
      token: owner.token,
      body: { taxonomies: { post_tag: { enabled: false } }, post_types: { page: { fetch_limit: 1 } } },
    })
    expect(patched.status).toBe(200)
    const steps = JSON.parse(
      await wp.wpEval(
        `echo json_encode(Igny8_Content_Sync::plan((new Igny8_API())->get('integration/integrations/${ids.integrationId}/content-types/')['data']));`,
      ),
    )
    expect(steps).toEqual([
      ['terms', 'category', 100],
      ['terms', 'product_cat', 100],
      ['posts', 'post', 100],
      ['posts', 'page', 1],
      ['posts', 'product', 100],
    ])
    proxy.state.seen.length = 0
    expect((await wp.wpEval(`echo json_encode(Igny8_Content_Sync::run());`)).trim()).toBe('true')
    expect(count(`GET /api/v1/integration/integrations/${ids.integrationId}/content-types/`)).toBe(1)
    expect(count(`POST /api/v1/integration/integrations/${ids.integrationId}/sync-terms/`)).toBe(2)
  })
})

describe('logs', () => {
  it('hold no PHP error, warning or notice from the plugin, and no secret', () => {
    const { errors, php } = pluginLogs(site)
    expect(errors).toBe('')
    expect(php).not.toMatch(/igny8-sync\/.*\.php/)
    for (const secret of [ids.key, owner.password, owner.token]) expect(php).not.toContain(secret)
  })
})
