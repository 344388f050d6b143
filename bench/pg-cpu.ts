// Where a request's CPU goes on PostgreSQL, per request: the node, PostgreSQL (the postmaster and every child:
// backends, WAL writer, checkpointer) and the load generator, read from /proc. One node on the suite's own PostgreSQL,
// 8 sites, 8 clients (one per site), 2 s warm-up then 5 s. ROUTE=fleet (update-structure, a site per client; the
// default), ROUTE=site (update-structure, all 8 clients to the first site), ROUTE=ct (content-types, a site per client)
// or ROUTE=ct-site (content-types, all 8 clients to the first site); ROUNDS rounds,
// the builds alternating so the host's drift falls on each:
//   ROUNDS=3 bun bench/pg-cpu.ts /tmp/igny8-before dist/igny8
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { startPostgres } from '../test/helpers/postgres'
import { BENCH_SECRET, BENCH_USER, createBenchAdmin, jsonPoster } from './admin'
import { waitHealthy } from './engines'
import { loadSpread } from './load'

const HZ = 100
const ticks = (pid: number) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(f[11]) + Number(f[12])
  } catch {
    return 0
  }
}
/** The postmaster and its children: PostgreSQL's whole CPU. */
const pgPids = (postmaster: number) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      try {
        const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')
        return p === postmaster || Number(f[1]) === postmaster
      } catch {
        return false
      }
    })
const pg = await startPostgres()
const bins = process.argv.slice(2)
const path = process.env.ROUTE ?? 'fleet'
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++)
  for (const bin of bins) {
    const url = await pg.createDatabase()
    const dir = mkdtempSync(join(tmpdir(), 'pgcpu-'))
    createBenchAdmin(bin, dir, ['--database-url', url])
    const port = 30000 + Math.floor(Math.random() * 20000)
    const node = spawn(
      bin,
      ['serve', '--port', String(port), '--data-dir', dir, '--secret', BENCH_SECRET, '--log-level', 'warn', '--database-url', url],
      { stdio: 'inherit' },
    )
    const base = `http://127.0.0.1:${port}/api/v1`
    await waitHealthy(base)
    const post = jsonPoster(base)
    const access = (await post('/auth/login/', null, BENCH_USER)).data.access
    const structure = {
      post_types: { post: { label: 'Posts', count: 5, fetch_limit: 5 }, page: { label: 'Pages', count: 10, fetch_limit: 100 } },
      taxonomies: {
        category: { label: 'Categories', count: 50, fetch_limit: 100 },
        post_tag: { label: 'Tags', count: 500, fetch_limit: 1000 },
      },
    }
    const body = JSON.stringify(structure)
    const targets = []
    for (let n = 0; n < 8; n++) {
      const site = await post('/system/sites/', access, { name: `B${n}`, url: `https://b${n}.example.com` })
      const key = (await post(`/system/sites/${site.data.id}/api-keys/`, access, {})).data.key
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
      const integ = (await (await fetch(`${base}/integration/integrations/?site=${site.data.id}`, { headers })).json()).results[0].id
      targets.push(
        path.startsWith('ct')
          ? { url: `${base}/integration/integrations/${integ}/content-types/`, init: { headers } }
          : { url: `${base}/integration/integrations/${integ}/update-structure/`, init: { method: 'POST', headers, body } },
      )
    }
    if (path === 'site' || path === 'ct-site') targets.fill(targets[0]!)
    await loadSpread(targets, { seconds: 2, concurrency: 8 })
    const pids = pgPids(pg.pid)
    // Transactions PostgreSQL committed for the database (each statement outside a transaction is one): its
    // statistics are flushed by the backends within a second, hence the waits.
    const stats = postgres(url, { max: 1, onnotice: () => {} })
    const commits = async () => {
      await Bun.sleep(1100)
      return Number((await stats`select xact_commit from pg_stat_database where datname = current_database()`)[0]!.xact_commit)
    }
    const commitsBefore = await commits()
    const before = { node: ticks(node.pid!), pg: pids.reduce((s, p) => s + ticks(p), 0), me: ticks(process.pid) }
    const r = await loadSpread(targets, { seconds: 5, concurrency: 8 })
    const pids2 = pgPids(pg.pid)
    const after = { node: ticks(node.pid!), pg: pids2.reduce((s, p) => s + ticks(p), 0), me: ticks(process.pid) }
    const perCommit = r.requests / ((await commits()) - commitsBefore)
    await stats.end()
    const us = (k: keyof typeof before) => ((((after[k] - before[k]) / HZ) * 1e6) / r.requests).toFixed(0)
    console.log(
      `${bin.padEnd(20)} ${path} ${Math.round(r.rps)} req/s p99 ${r.p99.toFixed(1)} busy ${Math.round(r.busy * 100)}%  µs/req: node ${us('node')} pg ${us('pg')} loadgen ${us('me')} requests/commit ${perCommit.toFixed(1)} errors ${r.errors}`,
    )
    node.kill('SIGTERM')
    await Bun.sleep(300)
  }
await pg.stop()
process.exit(0)
