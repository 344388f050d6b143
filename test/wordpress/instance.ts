// One WordPress instance's state (temp dir, port, pids) and its teardown: stop(), or killSync() on exit.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { removeInstanceConfig } from './etc-config'
import { runPhp } from './php-cli'
import { isAlive, processTree, signal, terminate } from './processes'
import { randomToken, tail } from './util'

/** Instances not yet stopped; the exit hook kills what is left. */
export const live = new Set<Instance>()
let exitHookInstalled = false

/** On process exit (no await possible there), SIGKILLs every live instance by pid. */
export function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const inst of live) inst.killSync()
  })
}

export class Instance {
  dir: string
  port = 0
  url = ''
  socket: string
  configFile = ''
  dbPid = 0
  phpPid = 0
  phpWorkers: number[] = []
  watchdogPid = 0
  stopped = false
  evalSeq = 0
  configRev = 0
  token = randomToken(24)
  dbPassword = randomToken(24)

  constructor() {
    let base = tmpdir()
    if (base.length > 60) base = '/tmp' // unix socket paths are limited to 108 bytes
    this.dir = mkdtempSync(join(base, 'igny8-wp-'))
    this.socket = join(this.dir, 'mysql.sock')
  }

  /** Tails of the server logs, for start-up errors. */
  logs(): string {
    return [
      `--- ${this.dir}/mariadb.err (tail)\n${tail(join(this.dir, 'mariadb.err'))}`,
      `--- ${this.dir}/php-server.log (tail)\n${tail(join(this.dir, 'php-server.log'))}`,
      `--- ${this.dir}/php-errors.log (tail)\n${tail(join(this.dir, 'php-errors.log'))}`,
    ].join('\n')
  }

  /** Runs PHP inside this WordPress with php-cli; see runPhp. */
  php(code: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
    return runPhp(this.dir, ++this.evalSeq, code, opts)
  }

  killSync() {
    if (this.stopped) return
    this.stopped = true
    live.delete(this)
    const pids = [
      ...(this.watchdogPid ? processTree(this.watchdogPid) : []),
      ...(this.phpPid ? processTree(this.phpPid) : []),
      ...this.phpWorkers,
      ...(this.dbPid ? [this.dbPid] : []),
    ]
    signal(pids.filter(isAlive), 'SIGKILL')
    this.removeFiles()
  }

  removeFiles() {
    removeInstanceConfig(this.configFile, this.dir)
    if (!process.env.IGNY8_WP_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true })
  }

  /** Stops php -S (workers first), mariadbd and the watchdog by pid, then removes the files. Idempotent. */
  async stop() {
    if (this.stopped) return
    this.stopped = true
    live.delete(this)
    if (this.watchdogPid) signal(processTree(this.watchdogPid).filter(isAlive), 'SIGKILL')
    const php = async () => {
      if (!this.phpPid) return
      // the workers outlive a killed parent, so each is stopped by its pid (init reaps them)
      await terminate([...new Set([...this.phpWorkers, ...processTree(this.phpPid).slice(1)])], 5000)
      await terminate([this.phpPid], 5000)
    }
    await Promise.all([php(), this.dbPid ? terminate([this.dbPid], 15_000) : undefined])
    this.removeFiles()
  }
}
