// Drizzle's public migrators read a folder (meta/_journal.json + <tag>.sql), and the compiled executable has
// none: the embedded migrations are written to a private temp folder for them, byte for byte (Drizzle hashes the SQL).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

type Journal = { entries: { tag: string }[] }

export function writeMigrationFolder(folder: string, journal: Journal, sqlByTag: Record<string, string>, entries = journal.entries): void {
  mkdirSync(join(folder, 'meta'), { recursive: true })
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }, null, 2))
  for (const entry of entries) {
    const sql = sqlByTag[entry.tag]
    if (sql === undefined) throw new Error(`migration ${entry.tag} is not embedded`)
    writeFileSync(join(folder, `${entry.tag}.sql`), sql)
  }
}
