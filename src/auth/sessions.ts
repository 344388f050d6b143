// Admin-page cookie sessions: an opaque random id in the cookie, only its SHA-256 in admin_sessions,
// and a per-session CSRF token. Kept with authentication (the admin reads cookies, this module the rows), so
// the users feature can end sessions without depending on the admin.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { and, eq, lt, ne } from 'drizzle-orm'
import { hashSecret } from './tokens'
import type { Db } from '../db/client'
import { adminSessions, users, type AdminSession, type User } from '../db/schema'

export const SESSION_COOKIE = 'igny8_session'
/** Absolute lifetime; an admin signs in again after a week. */
export const SESSION_TTL_SECONDS = 7 * 24 * 3600

export type AdminAuth = { user: User; session: AdminSession }

/** Starts a session for a user; answers the cookie value (shown to the browser only) and the session row. */
export async function createSession(db: Db, userId: number, now = Date.now()) {
  const cookie = randomBytes(32).toString('base64url')
  // Expired rows are pruned here, the one place sessions are written, so the table never grows unbounded.
  await db.delete(adminSessions).where(lt(adminSessions.expiresAt, now)).run()
  const session = await db
    .insert(adminSessions)
    .values({
      idHash: hashSecret(cookie),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: now + SESSION_TTL_SECONDS * 1000,
    })
    .returning()
    .get()
  return { cookie, session }
}

/** The live session and its active user for a cookie value, or null. */
export async function readSession(db: Db, cookie: string | undefined, now = Date.now()): Promise<AdminAuth | null> {
  if (!cookie || cookie.length > 100) return null
  const row = await db
    .select({ session: adminSessions, user: users })
    .from(adminSessions)
    .innerJoin(users, eq(users.id, adminSessions.userId))
    .where(eq(adminSessions.idHash, hashSecret(cookie)))
    .get()
  if (!row || row.session.expiresAt <= now || !row.user.isActive) return null
  return row
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.idHash, idHash)).run()
}

/** Ends every session of a user except, optionally, the one making the change (password change, deactivation). */
export async function deleteSessionsOf(db: Db, userId: number, keepIdHash?: string): Promise<void> {
  const where = keepIdHash ? and(eq(adminSessions.userId, userId), ne(adminSessions.idHash, keepIdHash)) : eq(adminSessions.userId, userId)
  await db.delete(adminSessions).where(where).run()
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: AdminSession, presented: string | undefined): boolean {
  if (!presented) return false
  const a = Buffer.from(session.csrfToken)
  const b = Buffer.from(presented)
  return a.length === b.length && timingSafeEqual(a, b)
}
