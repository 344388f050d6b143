import { readFileSync } from 'node:fs'
// A small closed-loop load generator: N concurrent clients for a fixed time, latency percentiles.
export type LoadResult = { requests: number; errors: number; rps: number; p50: number; p99: number; max: number; busy: number }
export type LoadOptions = { seconds: number; concurrency: number }

export const load = (url: string, init: RequestInit, opts: LoadOptions) => loadSpread([{ url, init }], opts)

/** Load spread over equivalent targets (client i talks to target i mod n), e.g. two nodes of one database. */
export async function loadSpread(targets: { url: string; init: RequestInit }[], opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  const cpu0 = machineCpu()
  const deadline = performance.now() + opts.seconds * 1000
  const started = performance.now()
  const client = async (i: number) => {
    const { url, init } = targets[i % targets.length]!
    while (performance.now() < deadline) {
      const t = performance.now()
      const res = await fetch(url, init)
      await res.arrayBuffer()
      if (!res.ok) errors++
      latencies.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => client(i)))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
  const cpu1 = machineCpu()
  const busy = (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? NaN,
    busy,
  }
}

/** The whole machine's CPU time from /proc/stat (every core, every process): how busy the load left it. */
/** CPU jiffies of the whole machine (every core, every process), busy and in all, from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  const idle = fields[3]! + fields[4]! // idle + iowait
  return { busy: total - idle, total }
}

/** One synced post as the plugin sends it, with three term ids (a category and two tags). */
export const benchItem = (id: number) => ({
  external_id: id,
  post_type: 'post',
  title: `Benchmark post number ${id}`,
  slug: `benchmark-post-${id}`,
  status: 'publish',
  url: `https://bench.example.com/benchmark-post-${id}/`,
  modified_at: '2025-11-22T10:00:00Z',
  terms: { category: [1 + (id % 50)], post_tag: [1 + (id % 500), 1 + ((id * 7) % 500)] },
})
