// WAL checkpoints off the request path (src/db/checkpointer.ts): while `igny8 serve` runs, a worker moves the WAL
// into the database file within a second of the writes, although the writes stay far below the size at which a
// request's own commit would checkpoint. SQLite (test/db is not among the PostgreSQL suites).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dbFile } from '../../src/config'
import { runCli, spawnServer, type ServerProcess } from '../multi-process/serve-process'
import { benchItem } from '../../bench/load'

const dir = mkdtempSync(join(tmpdir(), 'igny8-checkpoint-'))
const file = dbFile({ dataDir: dir })
let server: ServerProcess
let key = ''
let integrationId = 0
const BATCHES = 12
// Every item counts (fetch_limit above what is sent).
const structure = {
  post_types: { post: { label: 'Posts', count: BATCHES * 1000, fetch_limit: BATCHES * 1000 } },
  taxonomies: {
    category: { label: 'Categories', count: 50, fetch_limit: 100 },
    post_tag: { label: 'Tags', count: 500, fetch_limit: 1000 },
  },
}

beforeAll(async () => {
  expect(runCli(['user', 'create', '--email', 'owner@example.com', '--password', 'correct horse battery', '--admin'], dir).code).toBe(0)
  server = await spawnServer(dir)
}, 30_000)

afterAll(async () => {
  server?.kill()
  rmSync(dir, { recursive: true, force: true })
})

describe('WAL checkpoints while serving', () => {
  it('move acknowledged batches into the database file within seconds, with no request doing it', async () => {
    const login = await server.call('POST', '/api/v1/auth/login/', {
      body: { email: 'owner@example.com', password: 'correct horse battery' },
    })
    const token = login.body.data.access as string
    const site = await server.call('POST', '/api/v1/system/sites/', { token, body: { name: 'Blog', url: 'https://blog.example.com' } })
    key = (await server.call('POST', `/api/v1/system/sites/${site.body.data.id}/api-keys/`, { token, body: {} })).body.data.key
    const list = await server.call('GET', `/api/v1/integration/integrations/?site=${site.body.data.id}`, { token: key })
    const id = (integrationId = list.body.results[0].id as number)
    expect(
      (await server.call('POST', `/api/v1/integration/integrations/${id}/update-structure/`, { token: key, body: structure })).status,
    ).toBe(200)
    const before = statSync(file).size
    for (let b = 0; b < BATCHES; b++) {
      const items = Array.from({ length: 1000 }, (_, i) => benchItem(b * 1000 + i + 1))
      const res = await server.call('POST', `/api/v1/integration/integrations/${id}/sync-content/`, { token: key, body: { items } })
      expect(res.status).toBe(200)
    }
    const wal = statSync(`${file}-wal`).size
    // Well below SQLite's automatic checkpoint on the server's connection (10,000 pages at the least), so only
    // the worker can have copied the pages into the file.
    expect(wal).toBeLessThan(10_000 * 4096)
    let grown = 0
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await Bun.sleep(100)) {
      grown = statSync(file).size - before
      if (grown > 2 * 1024 * 1024) break
    }
    expect(grown).toBeGreaterThan(2 * 1024 * 1024)
  }, 60_000)

  // SQLite starts a WAL over only when a write begins and finds all of it copied, which a steady stream of writes
  // never lets happen by itself: the WAL grew by ~40 MB a second under pushes until the server's own safety-net
  // checkpoint copied ~400 MB inside one request. The WAL header's checkpoint sequence number (bytes 12-15) goes up
  // at each start-over.
  it('starts the WAL over while writes never pause, so it stays small', async () => {
    const walSequence = () => {
      const fd = openSync(`${file}-wal`, 'r')
      try {
        const header = Buffer.alloc(16)
        readSync(fd, header, 0, 16, 0)
        return header.readUInt32BE(12)
      } finally {
        closeSync(fd)
      }
    }
    const path = `/api/v1/integration/integrations/${integrationId}/update-structure/`
    const deadline = Date.now() + 4000
    let pushes = 0
    const client = async () => {
      for (; Date.now() < deadline; pushes++) {
        const res = await server.call('POST', path, { token: key, body: structure })
        if (res.status !== 200) throw new Error(`push answered ${res.status}`)
      }
    }
    const first = walSequence()
    let largest = 0
    const sampler = setInterval(() => (largest = Math.max(largest, statSync(`${file}-wal`).size)), 25)
    await Promise.all(Array.from({ length: 32 }, client))
    clearInterval(sampler)
    const restarts = walSequence() - first
    // Each push adds a few pages to the WAL; several thousand of them fill tens of MB unless it is started over.
    expect(pushes).toBeGreaterThan(2000)
    expect(restarts).toBeGreaterThanOrEqual(2)
    expect(largest).toBeLessThan(128 * 1024 * 1024)
  }, 30_000)

  it('stops cleanly, leaving an intact database with every acknowledged item', async () => {
    const { code, stderr } = await server.stop()
    expect(code).toBe(0)
    expect(stderr).not.toMatch(/"level":"error"/)
    const db = new Database(file, { readonly: true })
    try {
      expect(db.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
      expect(db.query('select count(*) as n from content').get()).toEqual({ n: BATCHES * 1000 })
    } finally {
      db.close()
    }
  }, 30_000)
})
