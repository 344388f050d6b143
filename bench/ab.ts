// Two builds of the executable side by side, rounds alternating between them so that the machine's drift (it
// varies by up to ~40 % here) falls on both: content-types and update-structure req/s (8 clients, 3 s), and
// sync-content ingest items/s (10 batches of 1,000 per round, two in flight). For "nothing got slower":
//   bun bench/ab.ts /tmp/igny8-before dist/igny8
// With --postgres both run on the suite's own PostgreSQL (test/helpers/postgres.ts), each node on a database of its own.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgres } from '../test/helpers/postgres'
import { BENCH_SECRET, BENCH_USER, createBenchAdmin } from './admin'
import { benchItem, load } from './load'

const args = process.argv.slice(2)
const onPostgres = args.includes('--postgres')
const [beforeBin, afterBin] = args.filter((a) => a !== '--postgres')
if (!beforeBin || !afterBin) throw new Error('usage: bun bench/ab.ts [--postgres] BEFORE_BINARY AFTER_BINARY')
const pg = onPostgres ? await startPostgres() : null
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 4)
const structure = {
  post_types: { post: { label: 'Posts', count: 1_000_000, fetch_limit: 1_000_000 } },
  taxonomies: {
    category: { label: 'Categories', count: 50, fetch_limit: 100 },
    post_tag: { label: 'Tags', count: 500, fetch_limit: 1000 },
  },
}

type Node = { proc: ChildProcess; dir: string; api: string; key: string; next: number }

async function start(bin: string): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'igny8-ab-'))
  const port = 20000 + Math.floor(Math.random() * 20000)
  const db = pg ? ['--database-url', await pg.createDatabase()] : []
  createBenchAdmin(bin, dir, db)
  const proc = spawn(bin, ['serve', '--port', String(port), '--data-dir', dir, '--secret', BENCH_SECRET, '--log-level', 'warn', ...db], {
    stdio: 'inherit',
  })
  const base = `http://127.0.0.1:${port}/api/v1`
  for (
    let i = 0;
    i < 100 &&
    !(await fetch(`${base}/health/`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await Bun.sleep(100)
  const call = async (path: string, token: string | null, body?: unknown) =>
    (
      await fetch(base + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    ).json()
  const token = (await call('/auth/login/', null, BENCH_USER)).data.access
  const site = (await call('/system/sites/', token, { name: 'Bench', url: 'https://bench.example.com' })).data.id
  const key = (await call(`/system/sites/${site}/api-keys/`, token, {})).data.key
  const integration = (await call(`/integration/integrations/?site=${site}`, key)).results[0].id
  const api = `${base}/integration/integrations/${integration}`
  await call(`/integration/integrations/${integration}/update-structure/`, key, structure)
  return { proc, dir, api, key, next: 1 }
}

async function round(n: Node) {
  const headers = { authorization: `Bearer ${n.key}`, 'content-type': 'application/json' }
  const opts = { seconds: 3, concurrency: 8 }
  const ct = (await load(`${n.api}/content-types/`, { headers }, opts)).rps
  const push = (await load(`${n.api}/update-structure/`, { method: 'POST', headers, body: JSON.stringify(structure) }, opts)).rps
  let seconds = 0
  for (let k = 0; k < 5; k++) {
    const bodies = [0, 1].map((q) => JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => benchItem(n.next + q * 1000 + i)) }))
    const t = performance.now()
    const out = await Promise.all(
      bodies.map((body) => fetch(`${n.api}/sync-content/`, { method: 'POST', headers, body }).then((r) => r.json())),
    )
    seconds += (performance.now() - t) / 1000
    if (out.some((o) => o.data?.created !== 1000)) throw new Error(`ingest failed: ${JSON.stringify(out[0]).slice(0, 200)}`)
    n.next += 2000
  }
  return { ct, push, ingest: 10_000 / seconds }
}

const nodes = { before: await start(beforeBin), after: await start(afterBin) }
const runs: Record<'before' | 'after', Awaited<ReturnType<typeof round>>[]> = { before: [], after: [] }
for (let r = 0; r < ROUNDS; r++) for (const side of ['before', 'after'] as const) runs[side].push(await round(nodes[side]))
for (const n of Object.values(nodes)) {
  n.proc.kill('SIGTERM')
  await new Promise((r) => (n.proc.exitCode !== null ? r(null) : n.proc.once('exit', r)))
  rmSync(n.dir, { recursive: true, force: true })
}
await pg?.stop()
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const row = (what: 'ct' | 'push' | 'ingest', label: string) => {
  const [b, a] = [mean(runs.before.map((x) => x[what])), mean(runs.after.map((x) => x[what]))]
  const each = (side: 'before' | 'after') => runs[side].map((x) => Math.round(x[what]).toLocaleString('en')).join(' / ')
  return `| ${label} | ${Math.round(b).toLocaleString('en')} (${each('before')}) | ${Math.round(a).toLocaleString('en')} (${each('after')}) | ${(((a - b) / b) * 100).toFixed(1)} % |`
}
console.log(`\n| ${ROUNDS} alternating rounds | before (mean, per round) | after | change |\n| --- | ---: | ---: | ---: |`)
console.log([row('ct', 'content-types req/s'), row('push', 'update-structure req/s'), row('ingest', 'ingest items/s')].join('\n'))
process.exit(0)
