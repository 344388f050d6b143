// Structured JSON-lines logging to stdout; one object per line, never secrets.
export type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

/** Past this many characters waiting, lines go out at once instead of at the end of the turn. */
export const BATCH_LIMIT = 64 * 1024

/**
 * Gathers the lines written during one turn of the event loop and hands them to `write` as one text after it (or at
 * once past BATCH_LIMIT). At the default level every request logs a line, and a write of its own per line cost each
 * request 2–3 µs (docs/PERFORMANCE.md). `flush` writes what waits, for when the process is about to end.
 */
export function lineBatcher(write: (text: string) => void) {
  let pending = ''
  const flush = () => {
    if (pending === '') return
    const text = pending
    pending = ''
    write(text)
  }
  return {
    line(line: string) {
      if (pending === '') setImmediate(flush)
      pending += line + '\n'
      if (pending.length > BATCH_LIMIT) flush()
    },
    flush,
  }
}

let stdoutBatch: ReturnType<typeof lineBatcher> | undefined
/** The process's stdout lines, batched per turn; what waits is written synchronously when the process exits. */
function stdoutLines() {
  if (stdoutBatch) return stdoutBatch
  // A closed stdout (EPIPE, e.g. piped into `head`) reports asynchronously; without a listener it would crash the server.
  process.stdout.on('error', () => {})
  const batch = (stdoutBatch = lineBatcher((text) => {
    try {
      process.stdout.write(text)
    } catch {
      // A closed stdout must not take the server down with it; the lines are lost, the requests are not.
    }
  }))
  // process.exit() and a crash skip the turn's end: the lines still waiting go out before the process ends.
  process.once('exit', batch.flush)
  return batch
}
const toStdout = (line: string) => stdoutLines().line(line)

/** A logger writing JSON lines at or above `min`; `write` is swappable for tests. */
export function createLogger(min: Level = 'info', write: (line: string) => void = toStdout): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[min]) return
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })
    try {
      write(line)
    } catch {
      // A closed stdout (EPIPE) must not take the server down with it; the line is lost, the request is not.
    }
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
