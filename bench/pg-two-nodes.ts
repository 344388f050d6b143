// Two nodes on one PostgreSQL database (the suite's own), 8 clients pushing one site's structure through both, 2 s of
// warm-up then 5 s; the builds (each optionally with environment variables after `@`) alternate ROUNDS times, so the
// host's drift falls on each:
//   ROUNDS=3 bun bench/pg-two-nodes.ts /tmp/igny8-before dist/igny8 'dist/igny8@NAME=value'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgres } from '../test/helpers/postgres'
import { BENCH_SECRET, BENCH_USER, createBenchAdmin, jsonPoster } from './admin'
import { waitHealthy } from './engines'
import { loadSpread } from './load'
const pg = await startPostgres()
const bins = process.argv.slice(2)
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++)
  for (const spec of bins) {
    const [bin, envs] = spec.split('@') as [string, string | undefined]
    const env = {
      ...process.env,
      ...Object.fromEntries(
        (envs ?? '')
          .split(',')
          .filter(Boolean)
          .map((kv) => kv.split('=')),
      ),
    }
    const url = await pg.createDatabase()
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'pg-two-nodes-')))
    createBenchAdmin(bin, dirs[0]!, ['--database-url', url])
    const ports = dirs.map(() => 30000 + Math.floor(Math.random() * 20000))
    const nodes = dirs.map((dir, i) =>
      spawn(
        bin,
        ['serve', '--port', String(ports[i]), '--data-dir', dir, '--secret', BENCH_SECRET, '--log-level', 'warn', '--database-url', url],
        { stdio: 'inherit', env },
      ),
    )
    const bases = ports.map((p) => `http://127.0.0.1:${p}/api/v1`)
    for (const b of bases) await waitHealthy(b)
    const post = jsonPoster(bases[0]!)
    const access = (await post('/auth/login/', null, BENCH_USER)).data.access
    const structure = {
      post_types: { post: { label: 'Posts', count: 5, fetch_limit: 5 }, page: { label: 'Pages', count: 10, fetch_limit: 100 } },
      taxonomies: { category: { label: 'Categories', count: 50, fetch_limit: 100 } },
    }
    const site = await post('/system/sites/', access, { name: 'B', url: 'https://b.example.com' })
    const key = (await post(`/system/sites/${site.data.id}/api-keys/`, access, {})).data.key
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
    const integ = (await (await fetch(`${bases[0]}/integration/integrations/?site=${site.data.id}`, { headers })).json()).results[0].id
    const targets = bases.map((b) => ({
      url: `${b}/integration/integrations/${integ}/update-structure/`,
      init: { method: 'POST', headers, body: JSON.stringify(structure) },
    }))
    await loadSpread(targets, { seconds: 2, concurrency: 8 })
    const r = await loadSpread(targets, { seconds: 5, concurrency: 8 })
    console.log(
      `${spec.padEnd(28)} two nodes, one site: ${Math.round(r.rps)} req/s p99 ${r.p99.toFixed(1)} busy ${Math.round(r.busy * 100)}% errors ${r.errors}`,
    )
    for (const n of nodes) n.kill('SIGTERM')
    await Promise.all(nodes.map((n) => new Promise((r) => (n.exitCode !== null ? r(null) : n.once('exit', r)))))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
await pg.stop()
process.exit(0)
