// Small helpers shared by the harness modules: logging, sleeping, tokens, files, PHP literals.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'

export const log = (msg: string) => console.error(`[wordpress-harness] ${msg}`)
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The last `lines` lines of a log file, for error messages. */
export function tail(path: string, lines = 25): string {
  try {
    const t = readFileSync(path, 'utf8').trimEnd().split('\n')
    return t.slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** A random string without look-alike characters (0/O, 1/l/I). */
export function randomToken(len: number): string {
  const abc = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  const bytes = crypto.getRandomValues(new Uint8Array(len))
  let s = ''
  for (const b of bytes) s += abc[b % abc.length]
  return s
}

/** Writes through a temp file and a rename, so concurrent instances never read half a config. */
export function writeAtomic(path: string, content: string, mode = 0o644) {
  const tmp = `${path}.${process.pid}.${randomToken(6)}.tmp`
  writeFileSync(tmp, content, { mode })
  renameSync(tmp, path)
}

/** A single-quoted PHP string literal. */
export function phpString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'"
}
