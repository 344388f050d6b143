// wrk (Debian's package) for the many-connection benches: a C load generator on its own core costs far less per
// request than a Bun client, so at 64 connections the figures are the server's, not the client's.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { machineCpu } from './load'

export const WRK = '/usr/bin/wrk'

/** Installs wrk when missing and we are root (`npm run bench` must work on a fresh machine); otherwise one line to fix it. */
export function ensureWrk(): string {
  if (existsSync(WRK)) return WRK
  if (process.getuid?.() !== 0) throw new Error('wrk is not installed: run `sudo apt-get install -y wrk`')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () => spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit', env, timeout: 300_000 }).status === 0
  if (!install()) {
    // Refresh the package lists only when they are what is missing (no candidate for wrk), not on any failure.
    const policy = spawnSync('apt-cache', ['policy', 'wrk'], { encoding: 'utf8' }).stdout ?? ''
    const noCandidate = !/Candidate: (?!\(none\))/.test(policy)
    if (!noCandidate || spawnSync('apt-get', ['update'], { stdio: 'inherit', env, timeout: 300_000 }).status !== 0 || !install())
      throw new Error('installing wrk failed: run `apt-get update && apt-get install -y wrk`')
  }
  if (!existsSync(WRK)) throw new Error(`apt-get installed wrk but ${WRK} is missing`)
  return WRK
}

export type WrkOptions = {
  url: string
  seconds: number
  connections: number
  method?: 'GET' | 'POST'
  body?: string
  headers?: Record<string, string>
  /** CPU list for taskset, so wrk stays off the server's core. */
  cpu: string
}
export type WrkResult = {
  rps: number
  p99: number // ms
  requests: number
  non2xx: number
  socketErrors: number
  errors: number
  /** The command as run, for the report (the Lua script is a temp file, so shown as `hot.lua`). */
  command: string
  output: string
}

/** A Lua long-bracket string: no escapes to get right, the body goes to the server byte for byte. */
const lua = (s: string) => {
  if (s.includes(']==]') || s.startsWith('\n')) throw new Error('wrk: string cannot be quoted for Lua')
  return `[==[${s}]==]`
}

/** One wrk run (`-t1 --latency`, method/body/headers from a Lua script), bounded by its duration plus a margin. */
export function runWrk(o: WrkOptions): WrkResult {
  const dir = mkdtempSync(join(tmpdir(), 'igny8-wrk-'))
  const script = join(dir, 'hot.lua')
  const lines = [`wrk.method = ${lua(o.method ?? 'GET')}`]
  if (o.body !== undefined) lines.push(`wrk.body = ${lua(o.body)}`)
  for (const [k, v] of Object.entries(o.headers ?? {})) lines.push(`wrk.headers[ ${lua(k)} ] = ${lua(v)}`) // spaced: `[[` would open a Lua string
  writeFileSync(script, lines.join('\n') + '\n')
  const args = ['-c', o.cpu, WRK, '-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency', '-s', script, o.url]
  try {
    const run = spawnSync('taskset', args, { encoding: 'utf8', timeout: (o.seconds + 30) * 1000, killSignal: 'SIGTERM' })
    // wrk runs on without the script when it fails to load (then every request lacks its headers): stderr is fatal.
    if (run.status !== 0 || run.stderr.trim())
      throw new Error(`wrk failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}${run.stdout}`)
    return { ...parseWrk(run.stdout), command: `taskset ${args.join(' ').replace(script, 'hot.lua')}`, output: run.stdout }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

export function parseWrk(out: string): Omit<WrkResult, 'command' | 'output'> {
  const num = (re: RegExp) => {
    const m = out.match(re)
    return m ? Number(m[1]) : NaN
  }
  const p99 = out.match(/^\s*99%\s+([\d.]+)(us|ms|s|m|h)\s*$/m)
  const sock = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/)
  const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0
  const non2xx = out.match(/Non-2xx or 3xx responses: (\d+)/) ? num(/Non-2xx or 3xx responses: (\d+)/) : 0
  const result = {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p99: p99 ? Number(p99[1]) * UNIT_MS[p99[2]!]! : NaN,
    requests: num(/(\d+) requests in /),
    non2xx,
    socketErrors,
    errors: non2xx + socketErrors,
  }
  if (!Number.isFinite(result.rps) || !Number.isFinite(result.p99)) throw new Error(`cannot parse wrk output:\n${out}`)
  return result
}

/** One request of a rotation: a path on the node's base URL, its headers and body. */
export type WrkRequest = { path: string; method?: 'GET' | 'POST'; headers: Record<string, string>; body?: string }
/** What one node's wrk is given: the node's base URL (scheme, host, port) and the requests it sends in turn. */
export type WrkNode = { base: string; requests: WrkRequest[] }
export type SpreadResult = { rps: number; p99: number; errors: number; busy: number; commands: string[] }

/** A Lua script whose connections send `requests` in turn (request k of the run is requests[k mod n]). */
function rotationScript(requests: WrkRequest[]): string {
  const entries = requests.map((r) => {
    const headers = Object.entries(r.headers)
      .map(([k, v]) => `[ ${lua(k)} ] = ${lua(v)}`)
      .join(', ')
    return `wrk.format(${lua(r.method ?? 'GET')}, ${lua(r.path)}, { ${headers} }${r.body === undefined ? '' : `, ${lua(r.body)}`})`
  })
  return [
    'local requests, k = {}, 0',
    `init = function() requests = { ${entries.join(',\n  ')} } end`,
    'request = function() k = k % #requests + 1 return requests[k] end',
    '',
  ].join('\n')
}

/**
 * One wrk per node, all at once (not pinned: nodes, database and wrk share the machine), `connections` split evenly
 * among them: for requests/s summed over nodes of one database. p99 is the highest of the nodes' (wrk's histograms
 * cannot be merged); busy is the whole machine's CPU share during the run.
 */
export async function runWrkSpread(nodes: WrkNode[], o: { seconds: number; connections: number }): Promise<SpreadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'igny8-wrk-'))
  try {
    const runs = nodes.map((node, i) => {
      const script = join(dir, `node${i}.lua`)
      writeFileSync(script, rotationScript(node.requests))
      const args = [
        '-t1',
        `-c${Math.max(1, Math.round(o.connections / nodes.length))}`,
        `-d${o.seconds}s`,
        '--latency',
        '-s',
        script,
        node.base,
      ]
      return { args, script }
    })
    const cpu0 = machineCpu()
    const outputs = await Promise.all(
      runs.map(async ({ args }) => {
        const proc = Bun.spawn([WRK, ...args], { stdout: 'pipe', stderr: 'pipe', timeout: (o.seconds + 30) * 1000 })
        const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
        if (code !== 0 || stderr.trim()) throw new Error(`wrk failed (exit ${code}): ${stderr}${stdout}`)
        return parseWrk(stdout)
      }),
    )
    const cpu1 = machineCpu()
    return {
      rps: outputs.reduce((sum, r) => sum + r.rps, 0),
      p99: Math.max(...outputs.map((r) => r.p99)),
      errors: outputs.reduce((sum, r) => sum + r.errors, 0),
      busy: (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total),
      commands: runs.map(({ args, script }) => `wrk ${args.join(' ').replace(script, 'rotation.lua')}`),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
