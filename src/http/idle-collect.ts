// Memory given back once a burst of requests is over. The heap keeps a burst's garbage until the runtime's own
// timers collect it, seconds later: RSS was 156–162 MB the moment 5 s of pushes at 64 connections ended, 120–151 MB
// a second later and 111 MB after 15 s. One full collection once the server has been idle a moment gives it back at
// once (and not again until requests came in since). Never while a request is being handled.
import type { InFlight } from './in-flight'

/** Checks every `everyMs` whether requests began since the last check; after a check without, collects once. */
export function collectWhenIdle(inFlight: InFlight, everyMs = 400, collect: () => void = () => Bun.gc(true)) {
  let seen = inFlight.started()
  let collected = true
  const timer = setInterval(() => {
    const started = inFlight.started()
    if (started !== seen) {
      seen = started
      collected = false
    } else if (!collected && inFlight.handling() === 0) {
      collected = true
      collect()
    }
  }, everyMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
