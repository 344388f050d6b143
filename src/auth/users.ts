// User accounts: creation (CLI, setup page, admin), lookup and password changes.
import { eq } from 'drizzle-orm'
import { countRows, type Db } from '../db/client'
import { users, type User } from '../db/schema'
import { Conflict } from '../http/errors'
import { hashPassword } from './passwords'

export type NewUser = { email: string; password: string; name?: string; isAdmin?: boolean }

/** Creates a user; 409 when the email is taken. */
export async function createUser(db: Db, input: NewUser): Promise<User> {
  const email = input.email.trim().toLowerCase()
  const passwordHash = await hashPassword(input.password)
  if (db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()) {
    throw new Conflict('A user with this email already exists.', 'email_taken')
  }
  return db
    .insert(users)
    .values({ email, name: input.name ?? '', passwordHash, isAdmin: input.isAdmin ?? false })
    .returning()
    .get()
}

export const countUsers = (db: Db): number => countRows(db, users)

export const publicUser = (u: User) => ({ id: u.id, email: u.email, name: u.name })
