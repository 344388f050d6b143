// `igny8 user set-password` (account recovery when nobody can sign in) and `igny8 user list`.
import { email as emailSchema, newPassword } from '../auth/model'
import type { Config } from '../config'
import { NotFound } from '../http/errors'
import { listUsers, OPERATOR, recoverAccount } from '../users/service'
import { fail, PASSWORD_SOURCES, passwordLabel, readPassword, withDb } from './shared'

export async function userSetPassword(config: Config, values: { email?: string; password?: string; admin?: boolean }): Promise<number> {
  if (!values.email) return fail('user set-password needs --email')
  const email = emailSchema.safeParse(values.email)
  if (!email.success) return fail(`invalid --email: ${email.error.issues[0]!.message}`)
  const source = await readPassword(values.password)
  if (!source) return fail(`user set-password needs a password: ${PASSWORD_SOURCES}`)
  const password = newPassword.safeParse(source.password)
  if (!password.success) return fail(`invalid ${passwordLabel(source)}: ${password.error.issues[0]!.message}`)
  try {
    const user = await withDb(config, (db) => recoverAccount(db, OPERATOR, email.data, password.data, values.admin ?? false))
    process.stdout.write(`password set for ${user.email}${values.admin ? ' (active administrator)' : ''}; signed out everywhere\n`)
    return 0
  } catch (e) {
    if (e instanceof NotFound) return fail(`no user with the email ${email.data}`)
    throw e
  }
}

export async function userList(config: Config): Promise<number> {
  const rows = await withDb(config, async (db) => await listUsers(db, OPERATOR))
  for (const u of rows)
    process.stdout.write(`${String(u.id).padStart(4)}  ${u.email}${u.is_admin ? '  admin' : ''}${u.is_active ? '' : '  (inactive)'}\n`)
  if (!rows.length) process.stdout.write('no users yet\n')
  return 0
}
