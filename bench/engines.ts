// SQLite against PostgreSQL in one run (issue 12): `dist/igny8` on the embedded SQLite, on PostgreSQL with one node,
// and on PostgreSQL with two nodes sharing the load. For each: content-types and update-structure requests/s and p99
// (Debian's wrk, BENCH_CONNECTIONS connections split evenly among the nodes, one wrk per node, for BENCH_SECONDS after
// a warm-up), and sync-content ingest items/s (batches of 1,000 items, three term ids each, two in flight). PostgreSQL is the suite's own (test/helpers/postgres.ts: Debian's server,
// loopback, an unprivileged user, default durability settings), or the operator's with `--database-url URL` (the URL's
// user creates and drops the bench's own databases). Run alone: `npm run bench -- --only engines [--database-url URL]`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { startPostgres, type PgServer } from '../test/helpers/postgres'
import { BENCH_SECRET, BENCH_USER, createBenchAdmin } from './admin'
import { benchItem } from './load'
import { ensureWrk, runWrkSpread, type SpreadResult, type WrkNode, type WrkRequest } from './wrk'

const root = join(import.meta.dir, '..')
// BENCH_BIN: another build to measure (then nothing is built), e.g. to compare two commits run after run.
const bin = process.env.BENCH_BIN ?? join(root, 'dist/igny8')
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64)
/** Sites of the fleet row: one per connection, as when many sites push their structure at once. */
const FLEET_SITES = CONNECTIONS
const ITEMS = Number(process.env.BENCH_ENGINE_ITEMS ?? 50_000)

type Setup = { label: string; databaseUrl?: string; nodes: number }
type Row = { label: string; ct: SpreadResult; push: SpreadResult; fleetPush: SpreadResult; ingest: number }

/** Waits for `base`/health/ to answer 2xx (15 s at most). */
export async function waitHealthy(base: string) {
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`${base}/health/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    await Bun.sleep(100)
  }
  throw new Error(`${base} did not become healthy`)
}

const structure = (n: number) => ({
  post_types: { post: { label: 'Posts', count: n, fetch_limit: n }, page: { label: 'Pages', count: 10, fetch_limit: 100 } },
  taxonomies: {
    category: { label: 'Categories', count: 50, fetch_limit: 100 },
    post_tag: { label: 'Tags', count: 500, fetch_limit: 1000 },
  },
})
const item = benchItem

async function measure(setup: Setup): Promise<Row> {
  const dirs = Array.from({ length: setup.nodes }, () => mkdtempSync(join(tmpdir(), 'igny8-bench-engines-')))
  const db = setup.databaseUrl ? ['--database-url', setup.databaseUrl] : []
  createBenchAdmin(bin, dirs[0]!, db)
  const nodes: ChildProcess[] = []
  const bases: string[] = []
  try {
    for (const dir of dirs) {
      const port = 20000 + Math.floor(Math.random() * 20000)
      nodes.push(
        spawn(bin, ['serve', '--port', String(port), '--data-dir', dir, '--secret', BENCH_SECRET, '--log-level', 'warn', ...db], {
          stdio: 'inherit',
        }),
      )
      bases.push(`http://127.0.0.1:${port}/api/v1`)
    }
    for (const b of bases) await waitHealthy(b)
    const post = async (path: string, token: string, body: unknown) =>
      (
        await fetch(bases[0] + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()
    const login = await (
      await fetch(`${bases[0]}/auth/login/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(BENCH_USER),
      })
    ).json()
    const pushBody = JSON.stringify(structure(1_000_000))
    /** A site with its API key and integration, its structure pushed once. */
    const newSite = async (n: number) => {
      const site = await post('/system/sites/', login.data.access, { name: `Bench ${n}`, url: `https://bench-${n}.example.com` })
      const key = (await post(`/system/sites/${site.data.id}/api-keys/`, login.data.access, {})).data.key as string
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
      const integration = (await (await fetch(`${bases[0]}/integration/integrations/?site=${site.data.id}`, { headers })).json()).results[0]
        .id as number
      await fetch(`${bases[0]}/integration/integrations/${integration}/update-structure/`, { method: 'POST', headers, body: pushBody })
      return { integration, headers }
    }
    const { integration, headers } = await newSite(0)
    // A fleet: one site per connection, as when many sites push their structure at once (the daily job, after an outage).
    const fleet = [] as Awaited<ReturnType<typeof newSite>>[]
    for (let n = 1; n <= FLEET_SITES; n++) fleet.push(await newSite(n))

    // Ingest: two batches in flight, alternating nodes.
    let sent = 0
    let seconds = 0
    while (sent < ITEMS) {
      const bodies = [0, 1].map((k) => JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => item(sent + k * 1000 + i + 1)) }))
      const t = performance.now()
      const answers = await Promise.all(
        bodies.map((body, k) =>
          fetch(`${bases[k % bases.length]}/integration/integrations/${integration}/sync-content/`, { method: 'POST', headers, body }).then(
            (r) => r.json(),
          ),
        ),
      )
      seconds += (performance.now() - t) / 1000
      for (const a of answers)
        if (!a.success || a.data.created !== 1000) throw new Error(`${setup.label}: ingest failed: ${JSON.stringify(a).slice(0, 300)}`)
      sent += 2000
    }
    // wrk takes the node's origin and paths under it.
    const origins = bases.map((b) => new URL(b).origin)
    const api = new URL(bases[0]!).pathname
    const everyNode = (request: WrkRequest): WrkNode[] => origins.map((base) => ({ base, requests: [request] }))
    const ctNodes = everyNode({ path: `${api}/integration/integrations/${integration}/content-types/`, headers })
    const pushOf = (site: { integration: number; headers: Record<string, string> }): WrkRequest => ({
      path: `${api}/integration/integrations/${site.integration}/update-structure/`,
      method: 'POST',
      headers: site.headers,
      body: pushBody,
    })
    const opts = { seconds: SECONDS, connections: CONNECTIONS }
    await runWrkSpread(ctNodes, { ...opts, seconds: 2 }) // warm-up (JIT, statement caches, connection pools)
    const ct = await runWrkSpread(ctNodes, opts)
    const push = await runWrkSpread(everyNode(pushOf({ integration, headers })), opts)
    // Site j is pushed through node j mod nodes; each node's wrk sends its sites' pushes in turn.
    const fleetNodes = origins.map((base, n) => ({ base, requests: fleet.filter((_, j) => j % origins.length === n).map(pushOf) }))
    const fleetPush = await runWrkSpread(fleetNodes, opts)
    return { label: setup.label, ct, push, fleetPush, ingest: sent / seconds }
  } finally {
    for (const n of nodes) n.kill('SIGTERM')
    await Promise.all(nodes.map((n) => new Promise((r) => (n.exitCode !== null ? r(null) : n.once('exit', r)))))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

/** Databases created for the run on an operator's PostgreSQL (`--database-url`): its user needs CREATEDB. Dropped after. */
async function externalPostgres(url: string): Promise<Pick<PgServer, 'createDatabase' | 'stop'>> {
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  const created: string[] = []
  return {
    async createDatabase() {
      const name = `igny8_bench_${Date.now().toString(36)}_${created.length}`
      await admin.unsafe(`create database ${name}`)
      created.push(name)
      const u = new URL(url)
      u.pathname = `/${name}`
      return u.toString()
    },
    async stop() {
      for (const name of created) await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

/** `databaseUrl`: an operator's PostgreSQL to measure (its user creates and drops the bench's databases); else the suite's own. */
export async function benchEngines(databaseUrl?: string): Promise<void> {
  ensureWrk()
  const pg = databaseUrl ? await externalPostgres(databaseUrl) : await startPostgres()
  try {
    const rows: Row[] = []
    rows.push(await measure({ label: 'SQLite, one node', nodes: 1 }))
    rows.push(await measure({ label: 'PostgreSQL, one node', nodes: 1, databaseUrl: await pg.createDatabase() }))
    rows.push(await measure({ label: 'PostgreSQL, two nodes', nodes: 2, databaseUrl: await pg.createDatabase() }))
    const f = (n: number, d = 2) => n.toFixed(d)
    const r = (n: number) => Math.round(n).toLocaleString('en')
    const pc = (n: number) => `${Math.round(n * 100)} %`
    console.log(
      `\nEngines (wrk, ${CONNECTIONS} connections split among the nodes, ${SECONDS} s per row, ${FLEET_SITES} sites in the fleet row, ${ITEMS.toLocaleString('en')} items ingested first, loopback, ${navigator.hardwareConcurrency} cores)`,
    )
    console.log(
      '| setup | content-types req/s | p99 ms | CPU busy | update-structure, one site req/s | p99 ms | CPU busy | update-structure, a fleet req/s | p99 ms | CPU busy | ingest items/s | errors |\n' +
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    )
    for (const x of rows)
      console.log(
        `| ${x.label} | ${r(x.ct.rps)} | ${f(x.ct.p99)} | ${pc(x.ct.busy)} | ${r(x.push.rps)} | ${f(x.push.p99)} | ${pc(x.push.busy)} | ${r(x.fleetPush.rps)} | ${f(x.fleetPush.p99)} | ${pc(x.fleetPush.busy)} | ${r(x.ingest)} | ${x.ct.errors + x.push.errors + x.fleetPush.errors} |`,
      )
    const [lite, one, two] = rows as [Row, Row, Row]
    const ratios = (a: Row, b: Row) =>
      `content-types ${f(a.ct.rps / b.ct.rps)}×, update-structure one site ${f(a.push.rps / b.push.rps)}×, a fleet ${f(a.fleetPush.rps / b.fleetPush.rps)}×`
    console.log(`\nPostgreSQL one node / SQLite: ${ratios(one, lite)} (target ≥ 0.5×)`)
    console.log(`PostgreSQL two nodes / one: ${ratios(two, one)} (target > 1×)`)
    console.log(
      'CPU busy: the whole machine (every core, every process: database, nodes and wrk) during the row. p99 with two nodes: the higher of the two wrk runs.',
    )
  } finally {
    await pg.stop()
  }
}

if (import.meta.main) {
  if (!process.env.BENCH_BIN && spawnSync(process.execPath, ['scripts/build.ts'], { cwd: root, stdio: 'inherit' }).status !== 0)
    process.exit(1)
  const at = process.argv.indexOf('--database-url')
  await benchEngines(at > 0 ? process.argv[at + 1] : undefined)
  process.exit(0)
}
