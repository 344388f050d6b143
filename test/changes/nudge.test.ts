// The nudge: when a change is queued, the worker POSTs {"integration","pending"} to the plugin's endpoint, signed as
// Standard Webhooks do. A real loopback receiver checks the signature with the secret the plugin was shown.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { startChangeWorker, type ChangeWorker } from '../../src/changes/worker'
import { startServer, type TestServer } from '../helpers/server'
import { editableSite } from './helpers'

type Received = { headers: Headers; body: string; at: number }
let s: TestServer
let worker: ChangeWorker
let receiver: ReturnType<typeof Bun.serve>
const received: Received[] = []
let waiters: (() => void)[] = []

beforeAll(async () => {
  s = await startServer({ 'pull-allow-private': 'true' })
  worker = await startChangeWorker(s.ctx, { intervalMs: 60_000 })
  receiver = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      received.push({ headers: req.headers, body: await req.text(), at: Date.now() })
      for (const w of waiters.splice(0)) w()
      // A slow plugin: the request that queued the change must not wait for this.
      await Bun.sleep(1500)
      return new Response(null, { status: 202 })
    },
  })
}, 30_000)
afterAll(async () => {
  await worker?.stop()
  receiver?.stop(true)
  await s?.stop()
}, 30_000)

const next = () => new Promise<void>((resolve) => waiters.push(resolve))

/** Standard Webhooks verification as a receiver does it, written from the spec, not from the server's code. */
function verify(secret: string, headers: Headers, body: string): boolean {
  const id = headers.get('webhook-id')!
  const ts = headers.get('webhook-timestamp')!
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest()
  return (headers.get('webhook-signature') ?? '').split(' ').some((sig) => {
    const [v, b64] = sig.split(',')
    const got = Buffer.from(b64 ?? '', 'base64')
    return v === 'v1' && got.length === expected.length && timingSafeEqual(got, expected)
  })
}

describe('nudging the plugin', () => {
  it('POSTs a signed {"integration","pending"} from the worker, after the edit was answered', async () => {
    const c = await editableSite(s)
    const url = `http://127.0.0.1:${receiver.port}/wp-json/igny8/v1/nudge`
    const reg = await c.plugin.endpoint(url)
    expect(reg.status).toBe(200)
    expect(reg.body.data.url).toBe(url)
    expect(reg.body.data.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const secret = reg.body.data.secret as string

    const arrived = next()
    const t0 = Date.now()
    const res = await c.userApi.patch(1, { title: 'Nudged' })
    expect(res.status).toBe(202)
    expect(Date.now() - t0).toBeLessThan(1000)
    await arrived
    const got = received.at(-1)!
    expect(JSON.parse(got.body)).toEqual({ integration: c.integrationId, pending: 1 })
    expect(got.headers.get('content-type')).toBe('application/json')
    expect(got.headers.get('webhook-id')).toMatch(/^msg_/)
    expect(Math.abs(Number(got.headers.get('webhook-timestamp')) - Date.now() / 1000)).toBeLessThan(300)
    expect(verify(secret, got.headers, got.body)).toBe(true)
    // A different secret does not verify: the check above can fail.
    expect(verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, got.headers, got.body)).toBe(false)
  })

  it('rotates the secret on a new registration and never shows it again', async () => {
    const c = await editableSite(s)
    const url = `http://127.0.0.1:${receiver.port}/nudge`
    const first = (await c.plugin.endpoint(url)).body.data.secret
    const second = (await c.plugin.endpoint(url)).body.data.secret
    expect(second).not.toBe(first)
    const arrived = next()
    await c.userApi.patch(2, { title: 'Again' })
    await arrived
    const got = received.at(-1)!
    expect(verify(second, got.headers, got.body)).toBe(true)
    expect(verify(first, got.headers, got.body)).toBe(false)
    const seen = [(await c.userApi.list()).text, (await c.userApi.get((await c.userApi.list()).body.results[0].id)).text]
    for (const text of seen) expect(text).not.toContain(second)
  })
})
