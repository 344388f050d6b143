// `igny8 user create`: the scripted way to make an account (the first admin, say).
import { email as emailSchema, newPassword } from '../auth/model'
import { createUser } from '../auth/users'
import type { Config } from '../config'
import { dbFile } from '../config'
import { migrateDb, openDb } from '../db/client'
import { HttpError } from '../http/errors'
import { fail } from '../cli'

export async function userCreate(
  config: Config,
  values: { email?: string; password?: string; name?: string; admin?: boolean },
): Promise<number> {
  if (!values.email) return fail('user create needs --email')
  if (!values.password) return fail('user create needs --password')
  const email = emailSchema.safeParse(values.email)
  if (!email.success) return fail(`invalid --email: ${email.error.issues[0]!.message}`)
  const password = newPassword.safeParse(values.password)
  if (!password.success) return fail(`invalid --password: ${password.error.issues[0]!.message}`)
  const db = openDb(dbFile(config))
  try {
    migrateDb(db)
    const user = await createUser(db, { email: email.data, password: values.password, name: values.name, isAdmin: values.admin ?? false })
    process.stdout.write(`created ${user.isAdmin ? 'admin' : 'user'} ${user.email} (id ${user.id})\n`)
    return 0
  } catch (e) {
    if (e instanceof HttpError) return fail(e.message)
    throw e
  } finally {
    db.$client.close()
  }
}
