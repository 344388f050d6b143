// `igny8 user set-password` (account recovery when nobody can sign in) and `igny8 user list`.
import { recoverAccount, listUsers } from '../admin/users-service'
import { email as emailSchema, newPassword } from '../auth/model'
import { fail } from '../cli'
import { dbFile, type Config } from '../config'
import { migrateDb, openDb, type Db } from '../db/client'
import { HttpError } from '../http/errors'

async function withDb<T>(config: Config, run: (db: Db) => Promise<T>): Promise<T> {
  const db = openDb(dbFile(config))
  try {
    migrateDb(db)
    return await run(db)
  } finally {
    db.$client.close()
  }
}

export async function userSetPassword(config: Config, values: { email?: string; password?: string; admin?: boolean }): Promise<number> {
  if (!values.email || !values.password) return fail('user set-password needs --email and --password')
  const email = emailSchema.safeParse(values.email)
  if (!email.success) return fail(`invalid --email: ${email.error.issues[0]!.message}`)
  const password = newPassword.safeParse(values.password)
  if (!password.success) return fail(`invalid --password: ${password.error.issues[0]!.message}`)
  try {
    const user = await withDb(config, (db) => recoverAccount(db, email.data, password.data, values.admin ?? false))
    process.stdout.write(`password set for ${user.email}${values.admin ? ' (active administrator)' : ''}; signed out everywhere\n`)
    return 0
  } catch (e) {
    if (e instanceof HttpError) return fail(`no user with the email ${email.data}`)
    throw e
  }
}

export async function userList(config: Config): Promise<number> {
  const rows = await withDb(config, async (db) => listUsers(db))
  for (const u of rows)
    process.stdout.write(`${String(u.id).padStart(4)}  ${u.email}${u.isAdmin ? '  admin' : ''}${u.isActive ? '' : '  (inactive)'}\n`)
  if (!rows.length) process.stdout.write('no users yet\n')
  return 0
}
