// `php -S 127.0.0.1:PORT` with 4 workers and the router: ports, start-up, readiness.
import { createServer } from 'node:net'
import { join } from 'node:path'
import { DOCROOT } from './constants'
import { isAlive, readProcChildren, spawnDetached } from './processes'
import { sleep } from './util'

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)))
  })
}

/** A port that was free a moment ago (php -S may still lose a race for it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Starts php -S with the instance's router.php and waits until the router answers with this
 * instance's token (so another server on the port is detected). Sets `srv.phpPid` as soon as
 * it is spawned, then `srv.phpWorkers`.
 */
export async function startPhpServer(srv: { dir: string; port: number; url: string; token: string; phpPid: number; phpWorkers: number[] }) {
  srv.phpPid = spawnDetached(
    [
      'php',
      '-d',
      'display_errors=0',
      '-d',
      'display_startup_errors=0',
      '-d',
      'log_errors=1',
      '-d',
      `error_log=${join(srv.dir, 'php-errors.log')}`,
      '-d',
      'memory_limit=512M',
      '-d',
      'upload_max_filesize=64M',
      '-d',
      'post_max_size=64M',
      '-S',
      `127.0.0.1:${srv.port}`,
      '-t',
      DOCROOT,
      join(srv.dir, 'router.php'),
    ],
    join(srv.dir, 'php-server.log'),
    { PHP_CLI_SERVER_WORKERS: '4' },
    DOCROOT,
  )
  const deadline = Date.now() + 15_000
  for (;;) {
    if (!isAlive(srv.phpPid)) throw new Error(`php -S exited during start-up (port ${srv.port} taken?)`)
    try {
      const res = await fetch(`${srv.url}/__igny8_harness_ping`, { signal: AbortSignal.timeout(2000) })
      const body = await res.text()
      if (res.status === 200 && body === srv.token) break
      if (res.status !== 200 || body !== srv.token) throw new Error(`port ${srv.port} answered by another server`)
    } catch (e) {
      if (e instanceof Error && /another server/.test(e.message)) throw e
    }
    if (Date.now() > deadline) throw new Error('php -S did not answer within 15 s')
    await sleep(50)
  }
  // the workers are forked at start-up; they outlive a killed parent, so track them too
  const wDeadline = Date.now() + 2000
  while (readProcChildren(srv.phpPid).length < 4 && Date.now() < wDeadline) await sleep(20)
  srv.phpWorkers = readProcChildren(srv.phpPid)
}

/** Waits until the REST API answers an authenticated request through php -S and the router. */
export async function waitForRest(url: string, authorization: string) {
  const deadline = Date.now() + 15_000
  let last = ''
  for (;;) {
    try {
      const res = await fetch(`${url}/wp-json/wp/v2/types?context=edit`, {
        headers: { Authorization: authorization },
        signal: AbortSignal.timeout(10_000),
      })
      const body = await res.text()
      if (res.status === 200 && body.includes('"product"')) break
      last = `HTTP ${res.status}: ${body.slice(0, 300)}`
    } catch (e) {
      last = String(e)
    }
    if (Date.now() > deadline) throw new Error(`REST API not ready within 15 s: ${last}`)
    await sleep(100)
  }
}
