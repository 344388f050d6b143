// User accounts, for the admin pages, the first-run setup and the CLI alike: create, list, passwords, the admin
// flag, deactivation. Who may do what is decided here, not by the callers. Every change that takes access away
// bumps the user's token version (voiding access tokens at once) and ends their refresh tokens and admin sessions.
import { asc, eq, sql } from 'drizzle-orm'
import type { z } from 'zod'
import type { UserCaller } from '../auth/caller'
import { newPassword } from '../auth/model'
import { hashPassword, verifyPassword } from '../auth/passwords'
import { announceCredentialChange, credentialsChanged } from '../auth/credential-cache'
import { revokeAllRefreshFor } from '../auth/service'
import { deleteSessionsOf } from '../auth/sessions'
import { countRows, type Db, withTx } from '../db/client'
import { users, type User } from '../db/schema'
import { Conflict, Forbidden, Invalid, issuesToFieldErrors, NotFound } from '../http/errors'
import { newUserInput, toPublicUser, type NewUser, type PublicUser } from './model'

/** Whoever runs the command line or holds the first-run setup token: they own the data directory anyway. */
export const OPERATOR = { kind: 'operator' } as const
/** Who asks for a change: a signed-in user, or the operator. */
export type Actor = UserCaller | typeof OPERATOR

function assertAdmin(actor: Actor): void {
  if (actor.kind === 'operator') return
  if (!actor.user.isAdmin || !actor.user.isActive) throw new Forbidden('Only administrators can manage users.')
}
const isSelf = (actor: Actor, id: number) => actor.kind === 'user' && actor.user.id === id

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const errors = issuesToFieldErrors(parsed.error.issues)
  const [path, messages] = Object.entries(errors)[0]!
  throw new Invalid(`Invalid field ${path}: ${messages[0]}`, errors)
}

async function findUser(db: Db, id: number): Promise<User> {
  const user = await db.select().from(users).where(eq(users.id, id)).get()
  if (!user) throw new NotFound('User')
  return user
}

type Change = Partial<Pick<User, 'passwordHash' | 'isAdmin' | 'isActive'>>

/**
 * Applies a change. With `signOut`, the user's token version goes up and their refresh tokens and admin
 * sessions (but `keepSession`, the one making the change) end, all in the same transaction as the change.
 */
async function update(db: Db, id: number, values: Change, signOut?: { keepSession?: string }): Promise<User> {
  const updated = await withTx(
    db,
    async (tx) => {
      // Any change to the row (deactivated, demoted, a new password) must reach callers still holding a token.
      await announceCredentialChange(tx)
      const user = await tx
        .update(users)
        .set({
          ...values,
          ...(signOut && { tokenVersion: sql`${users.tokenVersion} + 1` }),
          updatedAt: new Date().toISOString(),
        })
        .where(eq(users.id, id))
        .returning()
        .get()
      if (signOut) {
        await revokeAllRefreshFor(tx, id)
        await deleteSessionsOf(tx, id, signOut.keepSession)
      }
      return user
    },
    { lock: `user:${id}` },
  )
  credentialsChanged(db)
  return updated
}

/** Creates a user (administrators, or the operator: CLI and first-run setup); 409 when the email is taken. */
export async function createUser(db: Db, actor: Actor, input: NewUser): Promise<PublicUser> {
  assertAdmin(actor)
  const data = parse(newUserInput, input)
  const passwordHash = await hashPassword(data.password)
  if (await db.select({ id: users.id }).from(users).where(eq(users.email, data.email)).get()) {
    throw new Conflict('A user with this email already exists.', 'email_taken')
  }
  const user = await db.insert(users).values({ email: data.email, name: data.name, passwordHash, isAdmin: data.isAdmin }).returning().get()
  return toPublicUser(user)
}

export const countUsers = async (db: Db): Promise<number> => await countRows(db, users)

export async function listUsers(db: Db, actor: Actor): Promise<PublicUser[]> {
  assertAdmin(actor)
  return (await db.select().from(users).orderBy(asc(users.id)).all()).map(toPublicUser)
}

export async function getUser(db: Db, actor: Actor, id: number): Promise<PublicUser> {
  assertAdmin(actor)
  return toPublicUser(await findUser(db, id))
}

/** Changes the caller's own password after checking the current one; their other sessions and all tokens end. */
export async function changeOwnPassword(db: Db, actor: UserCaller, current: string, next: string, keepSession: string): Promise<void> {
  const user = await findUser(db, actor.user.id)
  if (!(await verifyPassword(current, user.passwordHash))) throw Invalid.field('current', 'The current password is not correct.')
  const passwordHash = await hashPassword(parse(newPassword, next))
  await update(db, user.id, { passwordHash }, { keepSession })
}

/** An administrator sets another user's password; that user is signed out everywhere. */
export async function resetPassword(db: Db, actor: Actor, id: number, password: string): Promise<PublicUser> {
  assertAdmin(actor)
  await findUser(db, id)
  // Without this, a borrowed admin session could change its owner's password without knowing the current one.
  if (isSelf(actor, id)) throw new Forbidden('Change your own password on the Account page.', 'self_reset')
  const passwordHash = await hashPassword(parse(newPassword, password))
  return toPublicUser(await update(db, id, { passwordHash }, {}))
}

/** Grants or removes the admin flag; an administrator cannot demote themself (so one always remains). */
export async function setAdmin(db: Db, actor: Actor, id: number, isAdmin: boolean): Promise<PublicUser> {
  assertAdmin(actor)
  await findUser(db, id)
  if (isSelf(actor, id) && !isAdmin) throw new Forbidden('You cannot remove your own administrator rights.', 'self_demote')
  return toPublicUser(await update(db, id, { isAdmin }))
}

/** Activates or deactivates an account; deactivation signs it out at once. Nobody can lock themself out. */
export async function setActive(db: Db, actor: Actor, id: number, isActive: boolean): Promise<PublicUser> {
  assertAdmin(actor)
  await findUser(db, id)
  if (isSelf(actor, id) && !isActive) throw new Forbidden('You cannot deactivate your own account.', 'self_deactivate')
  return toPublicUser(await update(db, id, { isActive }, isActive ? undefined : {}))
}

/**
 * Account recovery (`igny8 user set-password`, the operator only): sets a password by email and, with
 * `restoreAdmin`, makes the account an active administrator again. Signs it out everywhere.
 */
export async function recoverAccount(db: Db, actor: Actor, email: string, password: string, restoreAdmin: boolean): Promise<PublicUser> {
  if (actor.kind !== 'operator') throw new Forbidden('Account recovery is for the command line.')
  const found = await db.select().from(users).where(eq(users.email, email)).get()
  if (!found) throw new NotFound('User')
  const passwordHash = await hashPassword(parse(newPassword, password))
  return toPublicUser(await update(db, found.id, { passwordHash, ...(restoreAdmin && { isAdmin: true, isActive: true }) }, {}))
}
