// The fuzz tests' one oracle: send a request, then demand no 5xx, no internals, an X-Request-Id, the contract's
// envelope on /api, and an unchanged database after any 4xx. It counts answers by status for the run's summary.
import type { TestServer } from '../helpers/server'
import { fingerprint } from './hostile'
import { sqliteOf } from '../../src/db/sqlite'

const LEAK = /\bat [\w.<>]+ \(|\.ts:\d+|SQLITE|sqlite|\bSELECT\b|\bINSERT\b|\bUPDATE\b .* SET|test-secret/

export function prober(s: TestServer) {
  const statuses: Record<number, number> = {}

  /** Sends one request and checks the answer's status and envelope, and that a 4xx changed nothing. */
  async function check(method: string, url: string, headers: Record<string, string>, body: string | undefined, describe: () => string) {
    const before = fingerprint(sqliteOf(s.db))
    const res = await fetch(s.base + url, { method, headers, body, redirect: 'manual' })
    const text = await res.text()
    statuses[res.status] = (statuses[res.status] ?? 0) + 1
    const where = () => `${describe()}\n→ ${res.status} ${text.slice(0, 300)}`
    if (res.status >= 500) throw new Error(`5xx: ${where()}`)
    if (LEAK.test(text)) throw new Error(`internals in the answer: ${where()}`)
    if (!res.headers.get('x-request-id')) throw new Error(`no X-Request-Id: ${where()}`)
    if (!url.startsWith('/api/')) {
      // Admin pages answer HTML (a page, a fragment or a redirect); a refused form must still change nothing.
      if (res.status >= 400 && fingerprint(sqliteOf(s.db)) !== before) throw new Error(`a ${res.status} changed the database: ${where()}`)
      return
    }
    let parsed: any
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Error(`not JSON: ${where()}`)
    }
    if (res.status >= 400) {
      const envelope = parsed?.success === false && typeof parsed.error === 'string' && parsed.error && typeof parsed.code === 'string'
      if (!envelope) throw new Error(`4xx outside the error envelope: ${where()}`)
      if (parsed.errors !== undefined && (typeof parsed.errors !== 'object' || Array.isArray(parsed.errors)))
        throw new Error(`bad errors map: ${where()}`)
      if (fingerprint(sqliteOf(s.db)) !== before) throw new Error(`a ${res.status} changed the database: ${where()}`)
    } else if (parsed?.success !== true) throw new Error(`2xx without success: true: ${where()}`)
  }

  return { check, statuses }
}

/** fast-check settings: no shrinking (a shrink of a megabyte body takes minutes); the seed and the failing case are printed. */
export const runParams = (seed: number, runs: number) => ({ seed, numRuns: runs, endOnFailure: true, includeErrorInReport: true })
