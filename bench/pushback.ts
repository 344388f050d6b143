// Push-back through the plugin, end to end: dist/igny8 on loopback and a real WordPress (test/wordpress/) with the
// plugin installed and connected, N posts stored on both sides. Measures
//  (a) drain: N title edits queued while the plugin is held busy, then released by one real nudge; changes/s until
//      all are `applied`, per WP-Cron run. A run that ends with changes left is followed by a nudge the bench signs
//      itself (nothing else would start one soon: see docs/PERFORMANCE.md, "Push-back");
//  (a2) the same with nudges live while the edits are queued;
//  (b) latency: sequential single edits, nudged; PATCH answer → the new title served by WordPress's REST API.
// Run alone: `bun bench/pushback.ts` or `npm run bench -- --only pushback`. Bounded by BENCH_PUSHBACK_CAP_S per drain.
import { createHmac, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { startBackend } from '../test/plugin/backend'
import { installPlugin, PLUGIN_FILE, pluginLogs, routeServed } from '../test/plugin/helpers'
import { startWordPress } from '../test/wordpress/harness'

const root = join(import.meta.dir, '..')
const EDITS = Number(process.env.BENCH_PUSHBACK_EDITS ?? 1000)
const SINGLES = Number(process.env.BENCH_PUSHBACK_SINGLES ?? 50)
const CAP_S = Number(process.env.BENCH_PUSHBACK_CAP_S ?? 600)
/** No new `applied` for this long while changes are left: the cron run has ended and nothing else will start one. */
const STALL_MS = Number(process.env.BENCH_PUSHBACK_STALL_MS ?? 5000)
/** A single edit not in WordPress this long after its PATCH counts as not delivered (b). */
const MISS_MS = Number(process.env.BENCH_PUSHBACK_MISS_MS ?? 30_000)

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
const f = (n: number, d = 1) => n.toFixed(d)
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ')

export async function benchPushback(): Promise<void> {
  if (!existsSync(join(root, 'dist/igny8'))) {
    const b = Bun.spawnSync([process.execPath, 'scripts/build.ts'], { cwd: root, stdout: 'inherit', stderr: 'inherit' })
    if (b.exitCode !== 0) throw new Error('build failed')
  }
  const loadBefore = load()
  const log = (s: string) => console.log(`[pushback ${new Date().toISOString().slice(11, 19)}] ${s}`)
  // The nudge URL is on loopback: the backend refuses such targets unless told this WordPress is local.
  const [wp, srv] = await Promise.all([startWordPress(), startBackend(['--pull-allow-private', '--log-level', 'warn'])])
  try {
    const site = await installPlugin(wp)
    // The posts exist before the plugin is active, so their save_post does not fill the real-time queue.
    let t = performance.now()
    const ids: number[] = JSON.parse(
      await wp.wpEval(`wp_defer_term_counting(true); $ids = [];
        for ($i = 1; $i <= ${EDITS}; $i++) {
          $ids[] = wp_insert_post(['post_title' => "Bench post $i", 'post_status' => 'publish',
            'post_content' => "<!-- wp:paragraph --><p>Body of bench post $i.</p><!-- /wp:paragraph -->"], true);
        }
        wp_defer_term_counting(false); echo json_encode($ids);`),
    )
    log(`${ids.length} posts created in WordPress in ${f((performance.now() - t) / 1000)} s`)
    await wp.wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; activate_plugin('${PLUGIN_FILE}');`)
    await routeServed(wp)
    const owner = await srv.user()
    const ids8 = await srv.site(owner.token, wp.url)
    const integ = `/api/v1/integration/integrations/${ids8.integrationId}`
    const asUser = (method: string, path: string, body?: unknown) => srv.call(method, integ + path, { token: owner.token, body })
    // Every post, not the default fetch_limit of 100 (Connect sends these limits with the structure).
    await wp.wpEval(`Igny8_Settings::save_types(['post_types' => ['post' => ['enabled' => true, 'fetch_limit' => ${EDITS + 100}],
      'page' => ['enabled' => false], 'product' => ['enabled' => false]]]);`)
    const connected = JSON.parse(
      await wp.wpEval(`echo json_encode(Igny8_Connection::connect(${JSON.stringify(srv.api)}, '', '', ${JSON.stringify(ids8.key)}));`),
    )
    if (!(await wp.wpEval(`echo (string) get_option('igny8_nudge_secret', '');`)).trim())
      throw new Error(`connect did not register the nudge endpoint: ${JSON.stringify(connected)}`)
    t = performance.now()
    for (let i = 0; i < 20; i++) {
      const r = (await wp.wpEval(`echo json_encode(Igny8_Content_Sync::run());`)).trim()
      if (r === 'true') break
      if (r !== '"partial"') throw new Error(`content sync: ${r}`)
    }
    for (const id of [ids[0]!, ids.at(-1)!]) {
      const r = await asUser('GET', `/content/${id}/`)
      if (r.status !== 200)
        throw new Error(
          `post ${id} not stored in IGNY8 after the sync: ${r.status}; plugin: ${await wp.wpEval(`echo json_encode([get_option('igny8_last_content_result'), get_option('igny8_types'), Igny8_Content_Sync::plan()]);`)}; IGNY8: ${JSON.stringify((await asUser('GET', '/content-types/')).body)}`,
        )
    }
    log(`plugin connected and ${ids.length} posts synced in ${f((performance.now() - t) / 1000)} s`)
    await Bun.sleep(3000) // the poll a finished sync asks for, and its cron run, are over

    const countState = async (state: string) => (await asUser('GET', `/changes/?state=${state}&page_size=1`)).body.count as number
    const applied = () => countState('applied')
    const patch = async (id: number, title: string) => {
      const r = await asUser('PATCH', `/content/${id}/`, { title })
      if (r.status !== 202) throw new Error(`PATCH ${id}: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body.data.id as number
    }
    const pollLines = () =>
      pluginLogs(site)
        .php.split('\n')
        .filter((l) => l.includes('IGNY8: Push-back poll'))

    const [nudgeUrl, nudgeSecret] = JSON.parse(
      await wp.wpEval(`echo json_encode([get_option('igny8_nudge_url'), get_option('igny8_nudge_secret')]);`),
    ) as [string, string]
    const nudge = async () => {
      const body = JSON.stringify({ integration: ids8.integrationId, pending: 1 })
      const id = `msg_${randomUUID()}`
      const ts = Math.floor(Date.now() / 1000)
      const key = Buffer.from(nudgeSecret.replace(/^whsec_/, ''), 'base64')
      const sig = `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`
      const r = await fetch(nudgeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig },
        body,
      })
      if (r.status !== 202) throw new Error(`nudge answered ${r.status}: ${await r.text()}`)
    }

    type Run = { trigger: string; from: number; to: number; applied: number }
    /** Waits until `target` more changes are applied than `base`; a new run is nudged by the bench when one ends. */
    async function drain(base: number, target: number, t0: number, first: string) {
      const linesBefore = pollLines().length
      const runs: Run[] = []
      let run: Run = { trigger: first, from: t0, to: t0, applied: 0 }
      let done = (await applied()) - base
      run.applied = done
      let lastProgress = performance.now()
      while (done < target && performance.now() - t0 < CAP_S * 1000) {
        await Bun.sleep(100)
        const now = (await applied()) - base
        if (now > done) {
          run.applied += now - done
          run.to = lastProgress = performance.now()
          done = now
        } else if (performance.now() - lastProgress > STALL_MS) {
          // The run ended with changes left. Nothing in the backend nudges again for changes still pending (only
          // a newly queued one does), and the plugin's 5-minute poll needs a page load to start WP-Cron. The
          // bench sends the nudge itself, signed with the site's secret exactly as the backend signs it.
          runs.push(run)
          log(`run ${runs.length} ended at ${done}/${target} applied; the bench nudges again`)
          run = { trigger: 'a nudge sent by the bench', from: performance.now(), to: performance.now(), applied: 0 }
          await nudge()
          lastProgress = performance.now()
        }
      }
      runs.push(run)
      const wallS = (run.to - t0) / 1000
      const activeS = runs.reduce((s, r) => s + (r.to - r.from), 0) / 1000
      return { done, runs, wallS, activeS, polls: pollLines().slice(linesBefore) }
    }
    const queue = async (n: number, title: (i: number) => string) => {
      let next = 0
      const t = performance.now()
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < n) {
            const i = next++
            await patch(ids[i]!, title(i))
          }
        }),
      )
      return (performance.now() - t) / 1000
    }

    // (a) Drain. While the plugin holds its own lock (as while a previous run delivers), every nudge only leaves a
    // wish; the lock goes, and the last edit's nudge starts the cron run that drains the queue.
    let base = await applied()
    await wp.wpEval(`set_transient('igny8_pushback_lock', 1, 3600);`)
    const queueS = await queue(EDITS - 1, (i) => `Bench edit A ${i + 1}`)
    log(`${EDITS - 1} edits queued in ${f(queueS)} s (${Math.round((EDITS - 1) / queueS)} PATCH/s); plugin held busy`)
    await Bun.sleep(1000) // the last nudges of the queueing are answered (each only leaves a wish)
    await wp.wpEval(`delete_transient('igny8_pushback_lock'); delete_option('igny8_pushback_wanted');`)
    let t0 = performance.now()
    await patch(ids[EDITS - 1]!, `Bench edit A ${EDITS}`)
    const a = await drain(base, EDITS, t0, 'nudge of the last edit')

    // (a2) The same edits made with the plugin idle: the backend nudges while they are queued, as in real use.
    base = await applied()
    t0 = performance.now()
    const liveQueueS = await queue(EDITS, (i) => `Bench edit C ${i + 1}`)
    log(`${EDITS} edits queued in ${f(liveQueueS)} s with nudges live`)
    const a2 = await drain(base, EDITS, t0, "the backend's nudges while the edits were queued")

    // (b) Latency: one edit at a time, nudged; the title is read back through WordPress's REST API every 50 ms.
    const lat: number[] = []
    const toApplied: number[] = []
    const misses: string[] = []
    for (let i = 0; i < SINGLES; i++) {
      const id = ids[i]!
      const title = `Bench edit B ${i + 1}`
      const cid = await patch(id, title)
      const s = performance.now()
      let seen = 0
      while (!seen && performance.now() - s < MISS_MS) {
        const q = performance.now()
        const p = await fetch(`${wp.url}/wp-json/wp/v2/posts/${id}?_fields=title`).then((r) => r.json() as Promise<any>)
        if (p?.title?.rendered === title) seen = performance.now()
        else await Bun.sleep(Math.max(0, 50 - (performance.now() - q)))
      }
      if (!seen) {
        // Not delivered: say what WordPress and IGNY8 hold, then let the next edit's nudge deliver both.
        const state = (await asUser('GET', `/changes/${cid}/`)).body.data.state
        const wpState = await wp.wpEval(`$ev = [];
          foreach ((array) _get_cron_array() as $ts => $h) { if (isset($h['igny8_pushback_poll'])) { $ev[] = ($ts - time()) . ' s'; } }
          echo json_encode(['wish' => get_option('igny8_pushback_wanted'), 'poll_events_due_in' => $ev,
            'lock' => (bool) get_transient('igny8_pushback_lock'), 'doing_cron' => get_transient('doing_cron') ? 'held' : 'free']);`)
        misses.push(
          `edit ${i + 1} (post ${id}, change ${cid}): not in WordPress ${MISS_MS / 1000} s after the PATCH; change ${state}; WordPress: ${wpState.trim()}`,
        )
        log(misses.at(-1)!)
        continue
      }
      lat.push(seen - s)
      while ((await asUser('GET', `/changes/${cid}/`)).body.data.state !== 'applied' && performance.now() - s < MISS_MS) await Bun.sleep(50)
      toApplied.push(performance.now() - s)
    }
    lat.sort((a, b) => a - b)
    toApplied.sort((a, b) => a - b)
    const errors = pluginLogs(site).errors

    console.log(`\nPush-back through the plugin (WordPress 6.1 + plugin on php -S, dist/igny8, loopback)`)
    const report = (r: Awaited<ReturnType<typeof drain>>, from: string) => {
      console.log(
        `all ${r.done.toLocaleString('en')} applied ${f(r.wallS)} s after ${from} → **${Math.round(r.done / r.wallS)} changes/s** wall clock` +
          (r.runs.length > 1
            ? ` (the bench waits ${STALL_MS / 1000} s without progress before it nudges again), ${Math.round(r.done / r.activeS)} changes/s counting only the time cron runs were delivering (${f(r.activeS)} s)`
            : ''),
      )
      console.log(`\n| run | started by | applied | seconds | changes/s |\n| ---: | --- | ---: | ---: | ---: |`)
      r.runs.forEach((x, i) =>
        console.log(
          `| ${i + 1} | ${x.trigger} | ${x.applied} | ${f((x.to - x.from) / 1000)} | ${Math.round(x.applied / Math.max(0.001, (x.to - x.from) / 1000))} |`,
        ),
      )
      console.log(`\nThe plugin's own log of those runs (one line per poll() call):`)
      for (const l of r.polls) console.log(`    ${l.replace(/^\[[^\]]*\]\s*/, '')}`)
    }
    console.log(
      `\n(a) ${EDITS.toLocaleString('en')} title edits queued while the plugin was busy (${Math.round((EDITS - 1) / queueS)} PATCH/s, 8 in flight), then one nudge:`,
    )
    report(a, 'the last PATCH')
    console.log(
      `\n(a2) ${EDITS.toLocaleString('en')} more title edits queued with the plugin idle and nudges live (${f(liveQueueS)} s to queue):`,
    )
    report(a2, 'the first PATCH')
    console.log(
      `\n(b) ${SINGLES} sequential single edits, nudged; PATCH answer → new title served by GET /wp-json/wp/v2/posts/{id} (polled every 50 ms):`,
    )
    console.log(
      `p50 **${Math.round(pct(lat, 50))} ms**, p99 **${Math.round(pct(lat, 99))} ms**, min ${Math.round(lat[0]!)} ms, max ${Math.round(lat.at(-1)!)} ms`,
    )
    console.log(
      `PATCH answer → change \`applied\` in IGNY8: p50 ${Math.round(pct(toApplied, 50))} ms, p99 ${Math.round(pct(toApplied, 99))} ms`,
    )
    if (misses.length)
      console.log(
        `not delivered (${misses.length} of ${SINGLES}; left out of the percentiles above):\n${misses.map((m) => `- ${m}`).join('\n')}`,
      )
    console.log(`\nload average (1/5/15 min) before: ${loadBefore}, after: ${load()}; ${cpus().length} cores`)
    if (errors) console.log(`PHP errors in the plugin's files:\n${errors}`)
  } finally {
    await wp.stop()
    await srv.close()
  }
}

if (import.meta.main) {
  await benchPushback()
  process.exit(0)
}
