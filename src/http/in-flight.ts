// Requests being handled, so that shutdown does not close the database under them. Bun's server.stop() waits for the
// requests of clients still connected, not for the handlers of requests whose client has gone: those run on, and a
// transaction of theirs still queued for the database would fail on a closed connection (seen under load at SIGTERM).

export type InFlight = {
  begin(request: Request): void
  end(request: Request): void
  /** Resolves once no request is being handled, or after `timeoutMs`: true when none was left. */
  settled(timeoutMs: number): Promise<boolean>
  /** How many requests began, ever; and how many are being handled now. */
  started(): number
  handling(): number
}

export function inFlightRequests(): InFlight {
  const handling = new WeakSet<Request>()
  let count = 0
  let started = 0
  const waiters: (() => void)[] = []
  return {
    begin(request) {
      if (handling.has(request)) return
      handling.add(request)
      count++
      started++
    },
    end(request) {
      // Once per request, whichever hook ends it.
      if (!handling.has(request)) return
      handling.delete(request)
      if (--count === 0) for (const wake of waiters.splice(0)) wake()
    },
    async settled(timeoutMs) {
      if (count === 0) return true
      let timer: ReturnType<typeof setTimeout> | undefined
      const idle = new Promise<true>((resolve) => waiters.push(() => resolve(true)))
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))
      const settled = await Promise.race([idle, late])
      clearTimeout(timer)
      return settled
    },
    started: () => started,
    handling: () => count,
  }
}
