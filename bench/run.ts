// `npm run bench`: builds dist/igny8, runs it on loopback over a temp data dir, and measures content
// ingest (sync-content, batches of 1,000) and content-types latency at 10k / 100k / 1M synced items,
// beside a bare Bun.serve answering fixed JSON (the ceiling). Bounded: every phase has a time cap.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchItem, load, type LoadResult } from './load'
import { benchEngines } from './engines'
import { benchPushback } from './pushback'
import { benchHot } from './hot'

const root = join(import.meta.dir, '..')
const LEVELS = (process.env.BENCH_LEVELS ?? '10000,100000,1000000').split(',').map(Number)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const INGEST_CAP_S = Number(process.env.BENCH_INGEST_CAP_S ?? 240)

const flag = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined)
// `--bin PATH`: measure another build of the executable (e.g. the previous commit's, for a before/after in one
// sitting) instead of building this tree's.
const otherBin = flag('--bin')
if (!otherBin && spawnSync(process.execPath, ['scripts/build.ts'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1)
// `npm run bench -- --only hot|pushback|engines|ingest`: one part only (ingest = the SQLite ingest and content-types
// rows; hot = the pinned wrk rows beside a bare Bun.serve, start-up and memory).
const only = flag('--only')
if (only !== undefined && !['hot', 'pushback', 'engines', 'ingest'].includes(only))
  throw new Error(`--only: unknown bench ${only} (known: hot, ingest, engines, pushback)`)
if (only === 'pushback' || only === 'engines' || only === 'hot') {
  await (only === 'pushback' ? benchPushback() : only === 'hot' ? benchHot(otherBin) : benchEngines(flag('--database-url')))
  process.exit(0)
}

const dir = mkdtempSync(join(tmpdir(), 'igny8-bench-'))
const port = 20000 + Math.floor(Math.random() * 20000)
const bin = otherBin ?? join(root, 'dist/igny8')
spawnSync(bin, ['user', 'create', '--email', 'bench@example.com', '--password', 'bench-password-1', '--admin', '--data-dir', dir], {
  stdio: 'ignore',
})
const server = spawn(bin, ['serve', '--port', String(port), '--data-dir', dir, '--log-level', 'warn'], { stdio: 'inherit' })
const base = `http://127.0.0.1:${port}/api/v1`
const cleanup = () => {
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
}
process.on('exit', cleanup)

for (let i = 0; i < 100; i++) {
  if (
    await fetch(`${base}/health/`)
      .then((r) => r.ok)
      .catch(() => false)
  )
    break
  await Bun.sleep(100)
}
const json = (token: string, body?: unknown): RequestInit => ({
  method: body === undefined ? 'GET' : 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
})
const login = await (
  await fetch(`${base}/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password-1' }),
  })
).json()
const token = login.data.access
const site = await (await fetch(`${base}/system/sites/`, json(token, { name: 'Bench', url: 'https://bench.example.com' }))).json()
const key = (await (await fetch(`${base}/system/sites/${site.data.id}/api-keys/`, json(token, {}))).json()).data.key
const integration = (await (await fetch(`${base}/integration/integrations/?site=${site.data.id}`, json(key))).json()).results[0].id
const limit = 1_000_000
await fetch(
  `${base}/integration/integrations/${integration}/update-structure/`,
  json(key, {
    post_types: { post: { label: 'Posts', count: limit, fetch_limit: limit }, page: { label: 'Pages', count: 10, fetch_limit: 100 } },
    taxonomies: {
      category: { label: 'Categories', count: 50, fetch_limit: 100 },
      post_tag: { label: 'Tags', count: 500, fetch_limit: 1000 },
    },
  }),
)

const item = benchItem
const batchBody = (from: number) => JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => item(from + i)) })

let stored = 0
const ingest = { items: 0, seconds: 0 }
const segments: string[] = []
async function fillTo(target: number) {
  const before = { items: ingest.items, seconds: ingest.seconds, from: stored }
  const t0 = performance.now()
  while (stored < target && (performance.now() - t0) / 1000 < INGEST_CAP_S) {
    // Two batches in flight, as a plugin with a small worker pool would send them.
    const bodies = [batchBody(stored + 1), batchBody(stored + 1001)].slice(0, Math.ceil((target - stored) / 1000))
    const t = performance.now()
    const results = await Promise.all(
      bodies.map((b) =>
        fetch(`${base}/integration/integrations/${integration}/sync-content/`, { ...json(key), method: 'POST', body: b }).then((r) =>
          r.json(),
        ),
      ),
    )
    ingest.seconds += (performance.now() - t) / 1000
    for (const r of results) {
      if (!r.success || r.data.created !== 1000) throw new Error(`ingest failed: ${JSON.stringify(r).slice(0, 300)}`)
    }
    stored += bodies.length * 1000
    ingest.items += bodies.length * 1000
  }
  const rate = (ingest.items - before.items) / (ingest.seconds - before.seconds)
  segments.push(`| ${before.from.toLocaleString('en')} → ${stored.toLocaleString('en')} | ${Math.round(rate).toLocaleString('en')} |`)
}

const bare = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ success: true, data: { status: 'ok' } }) })
const rows: { label: string; r: LoadResult }[] = []
rows.push({
  label: 'bare Bun.serve, fixed JSON (ceiling)',
  r: await load(`http://127.0.0.1:${bare.port}/`, {}, { seconds: SECONDS, concurrency: CONCURRENCY }),
})
rows.push({ label: 'igny8 GET /health/', r: await load(`${base}/health/`, {}, { seconds: SECONDS, concurrency: CONCURRENCY }) })
for (const level of LEVELS) {
  await fillTo(level)
  if (stored < level) {
    console.log(`stopped filling at ${stored} items (cap ${INGEST_CAP_S}s)`)
    break
  }
  const ctUrl = `${base}/integration/integrations/${integration}/content-types/`
  const ct = await (await fetch(ctUrl, json(key))).json()
  if (ct.data.post_types.post.synced_count !== level) throw new Error(`synced_count ${ct.data.post_types.post.synced_count} != ${level}`)
  // Warm the route (JIT, statement cache) so the first level is not penalised for going first.
  if (level === LEVELS[0]) await load(ctUrl, json(key), { seconds: 1, concurrency: CONCURRENCY })
  rows.push({
    label: `content-types, ${level.toLocaleString('en')} synced`,
    r: await load(ctUrl, json(key), { seconds: SECONDS, concurrency: CONCURRENCY }),
  })
}
bare.stop(true)

const f = (n: number, d = 2) => n.toFixed(d)
console.log(
  `\nIngest through sync-content (batches of 1,000, 2 in flight): ${Math.round(ingest.items / ingest.seconds).toLocaleString('en')} items/s over ${ingest.items.toLocaleString('en')} items (${f(ingest.seconds, 1)} s)`,
)
console.log(`\n| stored items | ingest items/s |\n| --- | ---: |\n${segments.join('\n')}`)
console.log(`\n| endpoint | requests/s | p50 ms | p99 ms | max ms | errors |\n| --- | ---: | ---: | ---: | ---: | ---: |`)
for (const { label, r } of rows)
  console.log(`| ${label} | ${Math.round(r.rps).toLocaleString('en')} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${r.errors} |`)
const ct = rows.filter((r) => r.label.startsWith('content-types'))
if (ct.length > 1)
  console.log(
    `\ncontent-types p99 at ${ct.at(-1)!.label.split(', ')[1]} / at ${ct[0]!.label.split(', ')[1]}: ${f(ct.at(-1)!.r.p99 / ct[0]!.r.p99)}×`,
  )
console.log(`(${CONCURRENCY} concurrent clients, ${SECONDS} s per row, loopback, ${navigator.hardwareConcurrency} cores)`)
cleanup() // the ingest server and its data dir are not needed by the other benches
if (only === 'ingest') process.exit(0)
await benchHot(otherBin)
await benchEngines(flag('--database-url'))
await benchPushback()
process.exit(0)
