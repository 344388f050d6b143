// Structured JSON-lines logging to stdout; one object per line, never secrets.
export type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

const toStdout = (line: string) => {
  process.stdout.write(line + '\n')
}
// A closed stdout (EPIPE, e.g. piped into `head`) reports asynchronously; without a listener it would crash the server.
let stdoutGuarded = false
const guardStdout = () => {
  if (!stdoutGuarded) process.stdout.on('error', () => {})
  stdoutGuarded = true
}

/** A logger writing JSON lines at or above `min`; `write` is swappable for tests. */
export function createLogger(min: Level = 'info', write: (line: string) => void = toStdout): Logger {
  if (write === toStdout) guardStdout()
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
