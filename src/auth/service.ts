// Login, refresh-token rotation with reuse detection, logout.
import { and, eq, isNull, lt, or, isNotNull } from 'drizzle-orm'
import { changesOf, type Db } from '../db/client'
import { refreshTokens, users, type User } from '../db/schema'
import { TooManyRequests, Unauthorized } from '../http/errors'
import { verifyAgainstDummy, verifyPassword } from './passwords'
import type { RateLimiter } from './rate-limit'
import { hashSecret, newRefreshToken, type AccessSigner } from './tokens'
import { publicUser } from './users'

export type TokenSettings = { accessTtlSeconds: number; refreshTtlSeconds: number }

const WRONG_CREDENTIALS = 'No active account found with the given email and password.'

/** Checks email + password under the login rate limit; the same 401 whether the email or the password is wrong. */
export async function authenticate(db: Db, limiter: RateLimiter, clientIp: string, email: string, password: string): Promise<User> {
  const keys = [`ip:${clientIp}`, `email:${email}`]
  const wait = limiter.retryAfter(keys)
  if (wait > 0) throw new TooManyRequests(wait)
  const user = db.select().from(users).where(eq(users.email, email)).get()
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password)
  if (!user || !ok || !user.isActive) {
    limiter.fail(keys)
    throw new Unauthorized(WRONG_CREDENTIALS, 'invalid_credentials')
  }
  limiter.reset(`email:${email}`)
  return user
}

/** Issues an access token and a refresh token (in `familyId`, or a new family). */
export async function issueTokens(
  db: Db,
  signer: AccessSigner,
  settings: TokenSettings,
  user: User,
  familyId: string = crypto.randomUUID(),
) {
  const now = Date.now()
  const accessExp = Math.floor(now / 1000) + settings.accessTtlSeconds
  const refreshExp = now + settings.refreshTtlSeconds * 1000
  const refresh = newRefreshToken()
  db.insert(refreshTokens)
    .values({ userId: user.id, familyId, tokenHash: hashSecret(refresh), expiresAt: refreshExp })
    .run()
  const access = await signer.sign({ sub: String(user.id), typ: 'access', exp: accessExp })
  return {
    access,
    refresh,
    access_expires_at: new Date(accessExp * 1000).toISOString(),
    refresh_expires_at: new Date(refreshExp).toISOString(),
    user: publicUser(user),
  }
}

/** Rotates a refresh token. Presenting one that was already rotated revokes its whole family. */
export async function rotateRefresh(db: Db, signer: AccessSigner, settings: TokenSettings, token: string) {
  const now = Date.now()
  const outcome = db.transaction((tx) => {
    const row = tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashSecret(token)))
      .get()
    if (!row || row.revokedAt || row.expiresAt <= now) return { ok: false as const }
    if (row.rotatedAt) {
      // Reuse of a rotated token: someone else may hold the family. Cut it off.
      tx.update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)))
        .run()
      return { ok: false as const }
    }
    tx.update(refreshTokens).set({ rotatedAt: now }).where(eq(refreshTokens.id, row.id)).run()
    const user = tx.select().from(users).where(eq(users.id, row.userId)).get()
    if (!user?.isActive) return { ok: false as const }
    return { ok: true as const, user, familyId: row.familyId }
  })
  if (!outcome.ok) throw new Unauthorized('Token is invalid or expired.', 'token_not_valid')
  return issueTokens(db, signer, settings, outcome.user, outcome.familyId)
}

/** Revokes one refresh token; unknown tokens are already as good as revoked. */
export function revokeRefresh(db: Db, token: string): void {
  db.update(refreshTokens)
    .set({ revokedAt: Date.now() })
    .where(and(eq(refreshTokens.tokenHash, hashSecret(token)), isNull(refreshTokens.revokedAt)))
    .run()
}

/** Revokes every refresh token of a user (password change, deactivation). */
export function revokeAllRefreshFor(db: Db, userId: number): void {
  db.update(refreshTokens)
    .set({ revokedAt: Date.now() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .run()
}

/** Housekeeping: removes expired tokens and those revoked or rotated more than a day ago (kept that long for reuse detection). */
export function pruneRefreshTokens(db: Db, now = Date.now()): number {
  const dayAgo = now - 24 * 3600_000
  return changesOf(
    db
      .delete(refreshTokens)
      .where(or(lt(refreshTokens.expiresAt, now), and(isNotNull(refreshTokens.revokedAt), lt(refreshTokens.revokedAt, dayAgo))))
      .run(),
  )
}
