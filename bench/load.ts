// A small closed-loop load generator: N concurrent clients for a fixed time, latency percentiles.
export type LoadResult = { requests: number; errors: number; rps: number; p50: number; p99: number; max: number }

export async function load(url: string, init: RequestInit, opts: { seconds: number; concurrency: number }): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + opts.seconds * 1000
  const started = performance.now()
  const client = async () => {
    while (performance.now() < deadline) {
      const t = performance.now()
      const res = await fetch(url, init)
      await res.arrayBuffer()
      if (!res.ok) errors++
      latencies.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, client))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: pct(50), p99: pct(99), max: latencies.at(-1) ?? NaN }
}
