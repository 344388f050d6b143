// Runs `bun src/index.ts serve --database-url …` as real child processes ("nodes") on loopback ports, all on one
// PostgreSQL database, and speaks HTTP to them with a bounded timeout per request.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { closeDb, openDb, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { createUser, OPERATOR } from '../../src/users/service'
import { freePort } from '../multi-process/serve-process'
import { TEST_SECRET, type CallOptions, type Res } from '../helpers/server'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
// The child must not inherit IGNY8_* settings from whoever runs the tests.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>

/** Every request a test sends gives up after this long: a node that hangs shows as a failure, never as a stuck test. */
export const REQUEST_TIMEOUT_MS = 20_000

export const OWNER = { email: 'owner@example.com', password: 'correct horse battery staple' }

/** Migrates `url` and creates the owner account there, from the test process (the nodes find it at start). */
export async function seedDatabase(url: string, before?: (db: Db) => Promise<void>): Promise<void> {
  const db = openDb(url)
  try {
    await migrateDb(db)
    await createUser(db, OPERATOR, { email: OWNER.email, password: OWNER.password, isAdmin: true })
    await before?.(db)
  } finally {
    await closeDb(db)
  }
}

/** A request that did not get an answer (refused, reset, timed out) has status 0 and `error` says why. */
export type Answer<T = any> = Res<T> & { error?: string; ms: number }

export type NodeOptions = { cron?: string; args?: string[] }

/** Starts one node on `databaseUrl` and waits until /health/ answers 200. */
export async function startNode(name: string, databaseUrl: string, o: NodeOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `igny8-node-${name}-`))
  const port = freePort()
  const base = `http://127.0.0.1:${port}`
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--database-url', databaseUrl]
  args.push('--secret', TEST_SECRET, '--cron', o.cron ?? '0 3 * * *', ...(o.args ?? []))
  const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn([process.execPath, ENTRY, ...args], {
    env,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  // Both pipes are read as they fill (a chatty node never blocks) and kept as lines, for the log checks.
  const lines: string[] = []
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    let rest = ''
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n')
      rest = parts.pop()!
      lines.push(...parts)
    }
    if (rest) lines.push(rest)
  }
  const drained = Promise.all([drain(proc.stdout), drain(proc.stderr)])

  async function call<T = any>(method: string, path: string, opts: CallOptions & { timeoutMs?: number } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
    if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json'
    const t0 = performance.now()
    try {
      const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS) })
      const text = await res.text()
      let parsed: any = text
      try {
        parsed = JSON.parse(text)
      } catch {}
      return { status: res.status, headers: res.headers, body: parsed, text, ms: performance.now() - t0 }
    } catch (e) {
      const error = (e as Error).name === 'TimeoutError' ? 'timeout' : `${(e as { code?: string }).code ?? (e as Error).name}`
      return { status: 0, headers: new Headers(), body: null as T, text: '', error, ms: performance.now() - t0 }
    }
  }

  const deadline = Date.now() + 60_000
  for (;;) {
    if (proc.exitCode !== null) {
      await drained
      throw new Error(`node ${name} exited ${proc.exitCode}:\n${lines.slice(-20).join('\n')}`)
    }
    if ((await call('GET', '/api/v1/health/', { timeoutMs: 1000 })).status === 200) break
    if (Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`node ${name} on port ${port} did not answer /api/v1/health/ within 60 s:\n${lines.slice(-20).join('\n')}`)
    }
    await Bun.sleep(100)
  }

  return {
    name,
    port,
    base,
    pid: proc.pid,
    call,
    /** Every line the node wrote so far (JSON log lines on stdout, anything on stderr). */
    lines,
    /** The parsed JSON log lines whose `msg` is `msg`. */
    logged: (msg: string) =>
      lines.flatMap((l) => {
        try {
          const v = JSON.parse(l)
          return v?.msg === msg ? [v] : []
        } catch {
          return []
        }
      }),
    /** Waits (bounded) until the node has logged `msg`, and answers the first such line. */
    async waitForLog(msg: string, timeoutMs = 10_000) {
      for (const until = Date.now() + timeoutMs; Date.now() < until; await Bun.sleep(50)) {
        const [line] = this.logged(msg)
        if (line) return line
      }
      throw new Error(`node ${name} did not log "${msg}" within ${timeoutMs} ms`)
    },
    /** SIGKILL, like a crash; resolves when the process is gone. */
    async crash() {
      proc.kill('SIGKILL')
      await proc.exited
    },
    /** SIGTERM (SIGKILL after 10 s), then removes the data dir. Safe to call twice and after crash(). */
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
      const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)])
      if (!done) proc.kill('SIGKILL')
      await proc.exited
      await Promise.race([drained, Bun.sleep(2000)])
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
export type Node = Awaited<ReturnType<typeof startNode>>

/** Logs in on `node`, creates a site there, and answers the user token, the site's API key and its integration path. */
export async function setUpSite(node: Node) {
  const login = await node.call('POST', '/api/v1/auth/login/', { body: OWNER })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`)
  const token = login.body.data.access as string
  const site = await node.call('POST', '/api/v1/system/sites/', { token, body: { name: 'Blog', url: 'https://blog.example.com' } })
  const key = await node.call('POST', `/api/v1/system/sites/${site.body.data.id}/api-keys/`, { token, body: {} })
  const list = await node.call('GET', `/api/v1/integration/integrations/?site=${site.body.data.id}&platform=wordpress`, { token })
  const integrationId = list.body.results[0].id as number
  return { token, key: key.body.data.key as string, integrationId, path: `/api/v1/integration/integrations/${integrationId}` }
}

/** One content item titled `<marker>-<id>`. */
export const item = (marker: string, id: number, postType = 'post') => ({
  external_id: id,
  post_type: postType,
  title: `${marker}-${id}`,
  slug: `p-${id}`,
  status: 'publish',
  url: `https://blog.example.com/p-${id}/`,
  modified_at: '2025-11-22T10:00:00Z',
})

/** Whether an answer is the contract's "database unavailable" envelope. */
export const isDbUnavailable = (a: Answer) =>
  a.status === 503 && a.body?.success === false && a.body?.code === 'db_unavailable' && typeof a.body?.error === 'string'
