// A separate process that polls GET /api/v1/health/ until its stdin closes, then prints each answer's latency
// (ms) as a JSON array. Separate, so a server stalled by its own work cannot also stall the measuring.
const base = process.argv[2]!
let stopped = false
void (async () => {
  for await (const _ of Bun.stdin.stream()) void _
  stopped = true
})()
const latencies: number[] = []
while (!stopped) {
  const t0 = performance.now()
  const res = await fetch(`${base}/api/v1/health/`, { signal: AbortSignal.timeout(10_000) })
  await res.arrayBuffer()
  latencies.push(res.status === 200 ? performance.now() - t0 : 1e9) // a failed answer counts as none
  await Bun.sleep(10)
}
process.stdout.write(JSON.stringify(latencies))

export {}
