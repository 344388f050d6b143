// What every command shares: the one-line failure, opening the database for one command, reading a password.
import type { Config } from '../config'
import { dbTarget } from '../config'
import { closeDb, openDb, type Db } from '../db/client'
import { migrateDb } from '../db/migrate'

/** Prints `igny8: message` to stderr and answers the exit code 2. */
export function fail(message: string): number {
  process.stderr.write(`igny8: ${message}\n`)
  return 2
}

/** Opens (and migrates) the configured database for the length of `run`, and always closes it. */
export async function withDb<T>(config: Config, run: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openDb(dbTarget(config))
  try {
    await migrateDb(db)
    return await run(db)
  } finally {
    await closeDb(db)
  }
}

export type PasswordSource = { password: string; from: '--password' | 'IGNY8_PASSWORD' | 'standard input' }

/**
 * The password for a user command, without it having to sit in argv (which `ps` shows to every local user):
 * `--password`, else `IGNY8_PASSWORD`, else one line of standard input when that is not a terminal.
 */
export async function readPassword(
  flag: string | undefined,
  env: Record<string, string | undefined> = process.env,
  stdin: { isTTY?: boolean; stream: () => ReadableStream<Uint8Array> } = { isTTY: process.stdin.isTTY, stream: () => Bun.stdin.stream() },
): Promise<PasswordSource | undefined> {
  if (flag !== undefined) return { password: flag, from: '--password' }
  if (env.IGNY8_PASSWORD) return { password: env.IGNY8_PASSWORD, from: 'IGNY8_PASSWORD' }
  if (stdin.isTTY) return undefined
  const line = await readLine(stdin.stream())
  return line ? { password: line, from: 'standard input' } : undefined
}

/** The first line of a stream (without its CR LF); stops reading there, so a pipe left open does not hang it. */
async function readLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    while (!text.includes('\n')) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
      if (text.length > 4096) break // longer than any password we accept
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return text.split('\n')[0]!.replace(/\r$/, '')
}

export const PASSWORD_SOURCES = '--password, IGNY8_PASSWORD, or one line on standard input'
/** How an error names where a password came from: `--password`, or `password (standard input)`. */
export const passwordLabel = (s: PasswordSource) => (s.from === '--password' ? '--password' : `password (${s.from})`)
