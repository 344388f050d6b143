// Runs `bun src/index.ts serve` as a real child process on a loopback port, for tests that need more than one server on one data dir.
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { TEST_SECRET, type CallOptions, type Res } from '../helpers/server'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
// The child must not inherit IGNY8_* settings from whoever runs the tests.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>

/** Runs one igny8 command to completion (bounded) against `dataDir`. */
export function runCli(args: string[], dataDir: string) {
  const r = Bun.spawnSync([process.execPath, ENTRY, ...args, '--data-dir', dataDir, '--secret', TEST_SECRET], { env, timeout: 20_000 })
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

export function freePort(): number {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = probe.port!
  probe.stop(true)
  return port
}

/** Starts `igny8 serve` on a free port over `dataDir` and waits until /health/ answers. */
export async function spawnServer(dataDir: string) {
  const port = freePort()
  const base = `http://127.0.0.1:${port}`
  const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn(
    [process.execPath, ENTRY, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--secret', TEST_SECRET],
    { env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
  )
  // Read both pipes as they fill, so a chatty server never blocks on a full pipe.
  const stdout = new Response(proc.stdout).text()
  const stderr = new Response(proc.stderr).text()
  const deadline = Date.now() + 20_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`igny8 serve exited ${proc.exitCode}: ${await stderr}`)
    const up = await fetch(`${base}/api/v1/health/`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    if (Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`igny8 serve on port ${port} did not answer /api/v1/health/ within 20 s`)
    }
    await Bun.sleep(100)
  }

  async function call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...o.headers }
    if (o.token) headers.authorization = `Bearer ${o.token}`
    const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body))
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json'
    const res = await fetch(base + path, { method, headers, body })
    const text = await res.text()
    let parsed: any = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed, text }
  }

  return {
    port,
    base,
    pid: proc.pid,
    /** Resolves with the exit code once the child has exited (for signals sent by pid). */
    exited: proc.exited,
    call,
    /** SIGTERM, then the exit code and everything the process wrote (SIGKILL after 10 s). */
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM')
      const code = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => 'timeout' as const)])
      if (code === 'timeout') proc.kill('SIGKILL')
      return { code, stdout: await stdout, stderr: await stderr }
    },
    /** Last resort for afterAll: kills this child (by pid) if it is still running. */
    kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL')
    },
  }
}
export type ServerProcess = Awaited<ReturnType<typeof spawnServer>>

/** Starts `count` servers on `dataDir` at once; if any fails to start, kills the ones that did (none is left running). */
export async function spawnServers(dataDir: string, count: number): Promise<ServerProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => spawnServer(dataDir)))
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (!failed) return started.map((s) => (s as PromiseFulfilledResult<ServerProcess>).value)
  for (const s of started) if (s.status === 'fulfilled') s.value.kill()
  throw failed.reason
}
