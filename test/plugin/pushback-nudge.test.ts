// The plugin's nudge endpoint in a real WordPress: a nudge signed as Standard Webhooks do is answered 202
// and starts a poll in WP-Cron; a forged one (bad signature, changed body, timestamp too far off, replayed
// id, no signature, no secret here) is refused and starts nothing.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test'
import { createHmac, randomBytes } from 'node:crypto'
import { startWordPress, type WordPress } from '../wordpress/harness'
import { startBackend, type Backend } from './backend'
import { igny8Events, installPlugin, pluginLogs, activatePlugin, routeServed, until, type PluginSite } from './helpers'

setDefaultTimeout(90_000)

let wp: WordPress
let site: PluginSite
let srv: Backend
let nudgeUrl: string
const secret = `whsec_${randomBytes(24).toString('base64')}`

beforeAll(async () => {
  ;[wp, srv] = await Promise.all([startWordPress(), startBackend()])
  site = await installPlugin(wp)
  await activatePlugin(wp)
  const owner = await srv.user()
  const ids = await srv.site(owner.token, wp.url)
  const r = JSON.parse(
    await wp.wpEval(`echo json_encode(Igny8_Connection::connect(${JSON.stringify(srv.api)}, '', '', ${JSON.stringify(ids.key)}));`),
  )
  expect(r.connected).toBe(true)
  // The secret IGNY8 would hand out when the endpoint is registered (set here so these checks need no backend route).
  await wp.wpEval(`update_option('igny8_nudge_secret', ${JSON.stringify(secret)}, false);`)
  nudgeUrl = (await wp.wpEval(`echo Igny8_Nudge::url();`)).trim()
  await routeServed(wp)
}, 300_000)

afterAll(async () => {
  await wp?.stop()
  await srv?.close()
}, 60_000)

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the decoded whsec_ secret. */
function sign(key: string, id: string, ts: number, body: string) {
  const raw = Buffer.from(key.slice('whsec_'.length), 'base64')
  return `v1,${createHmac('sha256', raw).update(`${id}.${ts}.${body}`).digest('base64')}`
}

const now = () => Math.floor(Date.now() / 1000)
const body = JSON.stringify({ integration: 1, pending: 1 })

async function nudge(headers: Record<string, string>, payload = body) {
  const res = await fetch(nudgeUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload })
  return { status: res.status, body: await res.json().catch(() => null) }
}
function signed(o: { id?: string; ts?: number; key?: string; payload?: string } = {}) {
  const id = o.id ?? `msg_${randomBytes(8).toString('hex')}`
  const ts = o.ts ?? now()
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(o.key ?? secret, id, ts, o.payload ?? body) }
}
const accepted = () =>
  pluginLogs(site)
    .php.split('\n')
    .filter((l) => l.includes('IGNY8: Nudge accepted')).length
const polls = () =>
  pluginLogs(site)
    .php.split('\n')
    .filter((l) => l.includes('IGNY8: Push-back poll (now)')).length
const singlePolls = async () => ((await igny8Events(wp)).igny8_pushback_poll ?? []).filter((e) => e.schedule === false)

/** A forged nudge: refused with `status`, nothing accepted, no poll scheduled. */
async function expectRefused(res: { status: number; body: any }, status: number, code: string, before: number) {
  expect(res.status).toBe(status)
  expect(res.body.code).toBe(code)
  expect(accepted()).toBe(before)
  expect(await singlePolls()).toEqual([])
}

describe('the nudge endpoint', () => {
  it('answers a correctly signed nudge with 202, then polls IGNY8 from WP-Cron', async () => {
    const before = polls()
    const res = await nudge(signed())
    expect(res).toEqual({ status: 202, body: { accepted: true } })
    expect(accepted()).toBe(1)
    await until(async () => polls() > before, 15_000, 'the poll started by the nudge')
    // the poll ran as its own request (WP-Cron), and asked IGNY8 for the pending changes
    expect(pluginLogs(site).php).toMatch(/IGNY8: GET integration\/integrations\/\d+\/changes\/pending\//)
  })

  it('refuses a signature made with another secret', async () => {
    const other = `whsec_${randomBytes(24).toString('base64')}`
    await expectRefused(await nudge(signed({ key: other })), 401, 'igny8_nudge_bad_signature', accepted())
  })

  it('refuses a body other than the one signed', async () => {
    const h = signed()
    await expectRefused(await nudge(h, JSON.stringify({ integration: 1, pending: 99 })), 401, 'igny8_nudge_bad_signature', accepted())
  })

  it('refuses a timestamp more than 5 minutes off, either way, even correctly signed', async () => {
    const before = accepted()
    await expectRefused(await nudge(signed({ ts: now() - 6 * 60 })), 401, 'igny8_nudge_stale', before)
    await expectRefused(await nudge(signed({ ts: now() + 6 * 60 })), 401, 'igny8_nudge_stale', before)
  })

  it('refuses a replayed webhook-id, even re-signed with a fresh timestamp', async () => {
    const id = `msg_${randomBytes(8).toString('hex')}`
    expect((await nudge(signed({ id }))).status).toBe(202)
    await until(async () => (await singlePolls()).length === 0, 15_000, 'the poll of the first nudge to run')
    const before = accepted()
    await expectRefused(await nudge(signed({ id })), 409, 'igny8_nudge_replayed', before)
  })

  it('refuses an unsigned nudge, and any nudge while no secret is stored', async () => {
    const before = accepted()
    await expectRefused(await nudge({}), 401, 'igny8_nudge_unsigned', before)
    await expectRefused(await nudge({ ...signed(), 'webhook-signature': 'v1,' }), 401, 'igny8_nudge_bad_signature', before)
    await wp.wpEval(`delete_option('igny8_nudge_secret');`)
    await expectRefused(await nudge(signed()), 401, 'igny8_nudge_not_registered', before)
  })

  it('raised no PHP error, warning or notice in its files, and logged no secret', () => {
    const logs = pluginLogs(site)
    expect(logs.errors).toBe('')
    expect(logs.php).not.toContain(secret)
    expect(logs.php).not.toContain(secret.slice('whsec_'.length))
  })
})
