// `igny8 user create`: the scripted way to make an account (the first admin, say).
import { email as emailSchema, newPassword } from '../auth/model'
import type { Config } from '../config'
import { HttpError } from '../http/errors'
import { createUser, OPERATOR } from '../users/service'
import { fail, PASSWORD_SOURCES, passwordLabel, readPassword, withDb } from './shared'

export async function userCreate(
  config: Config,
  values: { email?: string; password?: string; name?: string; admin?: boolean },
): Promise<number> {
  if (!values.email) return fail('user create needs --email')
  const email = emailSchema.safeParse(values.email)
  if (!email.success) return fail(`invalid --email: ${email.error.issues[0]!.message}`)
  const source = await readPassword(values.password)
  if (!source) return fail(`user create needs a password: ${PASSWORD_SOURCES}`)
  const password = newPassword.safeParse(source.password)
  if (!password.success) return fail(`invalid ${passwordLabel(source)}: ${password.error.issues[0]!.message}`)
  try {
    const user = await withDb(config, (db) =>
      createUser(db, OPERATOR, { email: email.data, password: password.data, name: values.name, isAdmin: values.admin ?? false }),
    )
    process.stdout.write(`created ${user.is_admin ? 'admin' : 'user'} ${user.email} (id ${user.id})\n`)
    return 0
  } catch (e) {
    if (e instanceof HttpError) return fail(e.message)
    throw e
  }
}
