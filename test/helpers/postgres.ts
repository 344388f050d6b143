// A real PostgreSQL (Debian's package) for tests: own temp dir, loopback port, unprivileged user, stopped by pid
// (the host side, finding the package and handling processes, is in ./postgres-host).
import { randomBytes } from 'node:crypto'
import { closeSync, chownSync, existsSync, openSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import type { Subprocess } from 'bun'
import { processTree, run, signal } from '../wordpress/processes'
import {
  asRoot,
  asServerUser,
  ensurePostgresql,
  exitsWithin,
  freePort,
  killTree,
  postgresUser,
  postmasterPid,
  WATCHDOG,
} from './postgres-host'
import { sleep, tail } from '../wordpress/util'

const SUPERUSER = 'igny8'

export type PgServer = {
  port: number
  /** The temp dir holding the cluster (`data/`), its socket and `server.log`. */
  dir: string
  dataDir: string
  password: string
  /** The postmaster's pid (0 while stopped); changes on restart(). */
  readonly pid: number
  superUrl: string
  url(db?: string): string
  /** Creates an empty database (a fresh name unless given) and answers its URL. */
  createDatabase(name?: string): Promise<string>
  /** Fast shutdown, then start again on the same port and data dir. Also starts after kill(). */
  restart(): Promise<void>
  /** SIGKILLs the postmaster and its backends, like a crash; the data dir stays for restart(). */
  kill(): Promise<void>
  /** Stops the server and removes the temp dir. */
  stop(): Promise<void>
}

const live = new Set<{ dataDir: string }>()
let exitHook = false

/** initdb, then starts the server and waits until the superuser can query over TCP. */
export async function startPostgres(): Promise<PgServer> {
  const bin = ensurePostgresql()
  const t0 = performance.now()
  // /tmp, not $TMPDIR: the postgres user must reach it, and socket paths are limited to 107 bytes.
  const dir = mkdtempSync('/tmp/igny8-pg-')
  const dataDir = join(dir, 'data')
  const log = join(dir, 'server.log')
  const password = randomBytes(18).toString('hex')
  const owner = asRoot ? postgresUser() : undefined
  // Nothing but the server's user (and root) can enter the dir, so trusting socket connections admits no one else.
  if (owner) chownSync(dir, owner.uid, owner.gid)
  writeFileSync(join(dir, 'pwfile'), password + '\n', { mode: 0o600 })
  if (owner) chownSync(join(dir, 'pwfile'), owner.uid, owner.gid)
  const entry = { dataDir }
  live.add(entry)
  if (!exitHook) {
    exitHook = true
    // Plain scripts (not bun test) do emit 'exit': start an immediate shutdown; the watchdog removes the dir.
    process.on('exit', () => live.forEach((e) => signal([postmasterPid(e.dataDir)].filter(Boolean), 'SIGQUIT')))
  }
  const watchdog = Bun.spawn(['setsid', 'sh', '-c', WATCHDOG, 'igny8-pg-watchdog', String(process.pid), dir], {
    stdio: ['ignore', 'ignore', 'ignore'],
  })
  watchdog.unref()

  let port = 0
  let pid = 0
  let child: Subprocess | undefined // runuser (root), else the postmaster itself
  const url = (db = 'postgres') => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${db}`

  /**
   * Runs postgres as our child, not through pg_ctl: its parent (runuser, or us) then reaps it at once. A
   * postmaster left to init can stay a zombie, and the next postmaster refuses its still-"live" pid file.
   * Answers true when the port was taken (a fresh port is worth a retry).
   */
  async function start(fixedPort?: number): Promise<boolean> {
    port = fixedPort ?? (await freePort())
    const logged = existsSync(log) ? statSync(log).size : 0
    const fd = openSync(log, 'a')
    try {
      // Defaults everywhere else (fsync and synchronous_commit stay on: tests check durability).
      const settings = ['listen_addresses=127.0.0.1', 'shared_buffers=32MB', 'max_connections=200'].flatMap((c) => ['-c', c])
      const cmd = [`${bin}/postgres`, '-D', dataDir, '-p', String(port), '-k', dir, ...settings]
      child = Bun.spawn(asServerUser(cmd), { cwd: dir, stdin: 'ignore', stdout: fd, stderr: fd })
    } finally {
      closeSync(fd)
    }
    child.unref()
    const spawned = child
    let exited = false
    void spawned.exited.then(() => (exited = true))
    for (const deadline = Date.now() + 30_000; !exited && Date.now() < deadline; await sleep(25)) {
      // The postmaster writes "ready" on line 8 of its pid file once it accepts connections (what pg_ctl -w reads).
      const p = postmasterPid(dataDir)
      if (p && readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() === 'ready') {
        pid = p
        return false
      }
    }
    await end('SIGKILL', 0)
    const fresh = readFileSync(log, 'utf8').slice(logged)
    if (!fixedPort && /could not bind|Address already in use/.test(fresh)) return true
    throw new Error(`PostgreSQL did not start (${exited ? `exit ${spawned.exitCode}` : 'not ready in 30 s'}):\n${tail(log)}`)
  }

  /**
   * Signals the postmaster and waits until its parent has reaped it; after `graceMs`, SIGKILLs the
   * postmaster's tree first (so runuser can still reap it), and runuser last.
   */
  async function end(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    const spawned = child
    child = undefined
    pid = 0
    if (!spawned) return
    const p = postmasterPid(dataDir)
    if (p) signal([p], sig)
    if (await exitsWithin(spawned, graceMs)) return
    await killTree(p || spawned.pid)
    if (!(await exitsWithin(spawned, 2000))) signal([spawned.pid], 'SIGKILL')
    await exitsWithin(spawned, 3000)
  }

  async function stop(): Promise<void> {
    await end('SIGINT', 20_000) // SIGINT: fast shutdown (rolls back open transactions, then a checkpoint)
    signal(processTree(watchdog.pid), 'SIGKILL')
    live.delete(entry)
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    const init = await run(
      asServerUser([
        `${bin}/initdb`,
        ...['-D', dataDir, '-U', SUPERUSER, `--pwfile=${join(dir, 'pwfile')}`, '-E', 'UTF8', '--locale=C'],
        ...['--auth-host=scram-sha-256', '--auth-local=trust', '--no-instructions'],
      ]),
      { cwd: dir, timeoutMs: 60_000 },
    )
    rmSync(join(dir, 'pwfile'), { force: true })
    if (init.code !== 0)
      throw new Error(`initdb failed (exit ${init.code}):\n${(init.stdout + init.stderr).trim().split('\n').slice(-20).join('\n')}`)
    for (let tries = 1; await start(); tries++) {
      if (tries === 5) throw new Error(`PostgreSQL: no free port after 5 tries:\n${tail(log)}`)
    }
    await query(url(), 'select 1')
  } catch (e) {
    await stop()
    throw e
  }
  if (process.env.IGNY8_PG_DEBUG) console.error(`[postgres] started in ${Math.round(performance.now() - t0)} ms on port ${port}`)

  let seq = 0
  return {
    port,
    dir,
    dataDir,
    password,
    get pid() {
      return pid
    },
    superUrl: url(),
    url,
    async createDatabase(name = `t${++seq}_${randomBytes(4).toString('hex')}`) {
      // CREATE DATABASE takes no parameters; the name is checked instead.
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`)
      await query(url(), `create database "${name}"`)
      return url(name)
    },
    async restart() {
      await end('SIGINT', 20_000)
      await start(port)
    },
    async kill() {
      // The backends too: the next postmaster will not start while any of them still holds the shared memory.
      const p = postmasterPid(dataDir)
      if (p) await killTree(p)
      await end('SIGKILL', 5000)
    },
    stop,
  }
}

/** One statement on a short-lived connection with bounded waits. */
async function query(url: string, text: string): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} })
  try {
    await sql.unsafe(text)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

export type SharedPostgres = Pick<PgServer, 'port' | 'superUrl' | 'url' | 'createDatabase'>
let shared: Promise<PgServer> | undefined

/**
 * One server per test process (bun test runs every file in one process), started on first use;
 * each caller takes its own database with createDatabase(). The watchdog stops it after the process.
 */
export function sharedPostgres(): Promise<SharedPostgres> {
  const p = (shared ??= startPostgres())
  p.catch(() => {
    if (shared === p) shared = undefined // a later caller may try again
  })
  return p.then(({ port, superUrl, url, createDatabase }) => ({ port, superUrl, url, createDatabase }))
}
