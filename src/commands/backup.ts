// `igny8 backup FILE`: a consistent copy of the database (VACUUM INTO, in a worker, as the daily job makes it),
// safe while the server runs.
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fail } from './shared'
import { dbFile, type Config } from '../config'
import { writeBackup } from '../cron/backup'
import { closeDb, openDb } from '../db/client'
import { describeSafely } from '../http/errors'

export async function backup(config: Config, file: string): Promise<number> {
  if (config.databaseUrl)
    return fail(
      'igny8 backup copies the embedded SQLite database; on PostgreSQL, back it up with pg_dump (the operator owns those backups)',
    )
  const target = resolve(file)
  if (existsSync(target)) return fail(`${target} already exists; refusing to overwrite it (choose a new name or remove the old file first)`)
  if (!existsSync(dirname(target))) return fail(`the directory ${dirname(target)} does not exist`)
  const source = dbFile(config)
  if (!existsSync(source)) return fail(`there is no database at ${source} (check --data-dir)`)
  const db = openDb(source)
  try {
    await writeBackup(db, target)
  } catch (e) {
    return fail(`the backup could not be written: ${describeSafely(e)}`)
  } finally {
    await closeDb(db)
  }
  process.stdout.write(`backup of ${source} written to ${target} (${statSync(target).size} bytes)\n`)
  return 0
}
