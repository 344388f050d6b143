// Account administration behind the admin pages: listing users, passwords, the admin flag, deactivation.
// Every change that takes access away also revokes the user's refresh tokens and admin sessions.
import { asc, eq } from 'drizzle-orm'
import { hashPassword, verifyPassword } from '../auth/passwords'
import { revokeAllRefreshFor } from '../auth/service'
import type { Db } from '../db/client'
import { users, type User } from '../db/schema'
import { Forbidden, Invalid, NotFound } from '../http/errors'
import { deleteSessionsOf } from './sessions'

export const listUsers = (db: Db): User[] => db.select().from(users).orderBy(asc(users.id)).all()

export function getUser(db: Db, id: number): User {
  const user = db.select().from(users).where(eq(users.id, id)).get()
  if (!user) throw new NotFound('User')
  return user
}

function update(db: Db, id: number, values: Partial<Pick<User, 'passwordHash' | 'isAdmin' | 'isActive'>>): User {
  return db
    .update(users)
    .set({ ...values, updatedAt: new Date().toISOString() })
    .where(eq(users.id, id))
    .returning()
    .get()
}

/** Signs a user out everywhere: API refresh tokens and admin sessions (but `keepSession`, the caller's own). */
function signOutEverywhere(db: Db, userId: number, keepSession?: string) {
  revokeAllRefreshFor(db, userId)
  deleteSessionsOf(db, userId, keepSession)
}

/** Changes the caller's own password after checking the current one; other sessions end. */
export async function changeOwnPassword(db: Db, user: User, current: string, next: string, keepSession: string): Promise<void> {
  if (!(await verifyPassword(current, user.passwordHash))) throw Invalid.field('current', 'The current password is not correct.')
  update(db, user.id, { passwordHash: await hashPassword(next) })
  signOutEverywhere(db, user.id, keepSession)
}

/** An administrator sets another user's password; that user is signed out everywhere. */
export async function resetPassword(db: Db, actor: User, id: number, password: string): Promise<User> {
  getUser(db, id)
  const user = update(db, id, { passwordHash: await hashPassword(password) })
  if (id !== actor.id) signOutEverywhere(db, id)
  return user
}

/** Grants or removes the admin flag; an administrator cannot demote themself (so one always remains). */
export function setAdmin(db: Db, actor: User, id: number, isAdmin: boolean): User {
  getUser(db, id)
  if (id === actor.id && !isAdmin) throw new Forbidden('You cannot remove your own administrator rights.', 'self_demote')
  return update(db, id, { isAdmin })
}

/** Activates or deactivates an account; deactivation signs it out at once. Nobody can lock themself out. */
export function setActive(db: Db, actor: User, id: number, isActive: boolean): User {
  getUser(db, id)
  if (id === actor.id && !isActive) throw new Forbidden('You cannot deactivate your own account.', 'self_deactivate')
  const user = update(db, id, { isActive })
  if (!isActive) signOutEverywhere(db, id)
  return user
}

/**
 * Account recovery from the command line (`igny8 user set-password`): sets a password by email and,
 * with `restoreAdmin`, makes the account an active administrator again. Signs it out everywhere.
 */
export async function recoverAccount(db: Db, email: string, password: string, restoreAdmin: boolean): Promise<User> {
  const found = db.select().from(users).where(eq(users.email, email)).get()
  if (!found) throw new NotFound('User')
  const user = update(db, found.id, {
    passwordHash: await hashPassword(password),
    ...(restoreAdmin && { isAdmin: true, isActive: true }),
  })
  signOutEverywhere(db, user.id)
  return user
}
