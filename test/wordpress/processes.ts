// Child processes of the harness, handled by pid only: spawn, run, list descendants, stop.
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { sleep } from './util'

/** Direct children of a pid, read from /proc (all its threads). */
export function readProcChildren(pid: number): number[] {
  const out: number[] = []
  let tids: string[] = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) {
        if (c) out.push(Number(c))
      }
    } catch {}
  }
  return out
}

/** pid plus all its descendants (children first-level order) */
export function processTree(pid: number): number[] {
  const all = [pid]
  for (let i = 0; i < all.length; i++) for (const c of readProcChildren(all[i]!)) if (!all.includes(c)) all.push(c)
  return all
}

/** True unless the pid is gone or a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

export function signal(pids: number[], sig: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig)
    } catch {}
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; waits up to 3 s more for the pids to go. */
export async function terminate(pids: number[], graceMs: number) {
  pids = pids.filter(isAlive)
  if (!pids.length) return
  signal(pids, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!pids.some(isAlive)) return
    await sleep(25)
  }
  signal(pids.filter(isAlive), 'SIGKILL')
  const hard = Date.now() + 3000
  while (Date.now() < hard && pids.some(isAlive)) await sleep(25)
}

/** Runs a command to completion and collects its output; on timeout its whole tree is killed. */
export async function run(
  cmd: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let timedOut = false
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true
        signal(processTree(proc.pid), 'SIGKILL')
      }, opts.timeoutMs)
    : undefined
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  if (timer) clearTimeout(timer)
  return { code, stdout, stderr, timedOut }
}

/** Starts a long-running server with its output appended to `logFile`; returns its pid. */
export function spawnDetached(cmd: string[], logFile: string, env?: Record<string, string>, cwd?: string): number {
  const fd = openSync(logFile, 'a')
  try {
    // setsid: own session, so a terminal's Ctrl-C reaches only the test process; the
    // watchdog then stops these by pid. setsid execs (no fork) since we are no group leader.
    const proc = Bun.spawn(['setsid', ...cmd], {
      cwd,
      env: { ...process.env, ...env },
      stdin: 'ignore',
      stdout: fd,
      stderr: fd,
    })
    proc.unref()
    return proc.pid
  } finally {
    closeSync(fd)
  }
}
