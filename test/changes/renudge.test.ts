// A change the plugin has not taken (it drained only part of a large queue, or missed the nudge) is nudged again by
// the worker's timer, so a site whose WP-Cron only runs on visits still gets its queue delivered; a settled queue is
// not nudged any more.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startChangeWorker, type ChangeWorker } from '../../src/changes/worker'
import { startServer, type TestServer } from '../helpers/server'
import { editableSite } from './helpers'

let s: TestServer
let worker: ChangeWorker
let receiver: ReturnType<typeof Bun.serve>
const nudges: number[] = []

beforeAll(async () => {
  s = await startServer({ 'pull-allow-private': 'true' })
  worker = await startChangeWorker(s.ctx, { intervalMs: 100, renudgeMs: 400 })
  receiver = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      await req.text()
      nudges.push(Date.now())
      return new Response(null, { status: 202 })
    },
  })
}, 30_000)
afterAll(async () => {
  await worker?.stop()
  receiver?.stop(true)
  await s?.stop()
}, 30_000)

describe('changes left waiting for the plugin', () => {
  it('are nudged again about every renudge interval until none is pending, then no more', async () => {
    const c = await editableSite(s)
    expect((await c.plugin.endpoint(`http://127.0.0.1:${receiver.port}/nudge`)).status).toBe(200)
    const change = (await c.userApi.patch(1, { title: 'Waiting' })).body.data
    await Bun.sleep(1500)
    // The first nudge on queueing, then one about every 400 ms: never a flood at every 100 ms tick.
    expect(nudges.length).toBeGreaterThanOrEqual(3)
    expect(nudges.length).toBeLessThanOrEqual(6)
    expect((await c.userApi.cancel(change.id)).status).toBe(200)
    await Bun.sleep(300)
    const settled = nudges.length
    await Bun.sleep(1000)
    expect(nudges.length).toBe(settled)
  })
})
