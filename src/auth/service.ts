// Login, refresh-token rotation with reuse detection, logout.
import { and, eq, isNull, lt, or, isNotNull } from 'drizzle-orm'
import { changesOf, withTx, type Db } from '../db/client'
import { refreshTokens, users, type User } from '../db/schema'
import { TooManyRequests, Unauthorized } from '../http/errors'
import { verifyAgainstDummy, verifyPassword } from './passwords'
import { addressKey, type RateLimiter } from './rate-limit'
import { hashSecret, newRefreshToken, type AccessSigner } from './tokens'

export type TokenSettings = { accessTtlSeconds: number; refreshTtlSeconds: number }

const WRONG_CREDENTIALS = 'No active account found with the given email and password.'

/**
 * Checks email + password under the login rate limit; the same 401 whether the email or the password is wrong.
 * The attempt is counted before the slow hash is verified: counting after it let a burst of parallel requests
 * all pass the check while none had failed yet. A success takes its attempt back from the address.
 */
export async function authenticate(db: Db, limiter: RateLimiter, clientIp: string, email: string, password: string): Promise<User> {
  const ipKey = addressKey(clientIp)
  const emailKey = `email:${email}`
  const wait = await limiter.attempt(db, [ipKey, emailKey])
  if (wait > 0) throw new TooManyRequests(wait)
  const user = await db.select().from(users).where(eq(users.email, email)).get()
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password)
  if (!user || !ok || !user.isActive) throw new Unauthorized(WRONG_CREDENTIALS, 'invalid_credentials')
  await limiter.refund(db, [ipKey])
  await limiter.reset(db, emailKey)
  return user
}

type NewRefresh = { token: string; expiresAt: number }
const newRefresh = (settings: TokenSettings, now: number): NewRefresh => ({
  token: newRefreshToken(),
  expiresAt: now + settings.refreshTtlSeconds * 1000,
})
const storeRefresh = async (db: Pick<Db, 'insert'>, userId: number, familyId: string, r: NewRefresh) =>
  await db
    .insert(refreshTokens)
    .values({ userId, familyId, tokenHash: hashSecret(r.token), expiresAt: r.expiresAt })
    .run()

/** The login/refresh answer: a signed access token carrying the user's token version, and the refresh token. */
async function tokenAnswer(signer: AccessSigner, settings: TokenSettings, user: User, refresh: NewRefresh, now: number) {
  const accessExp = Math.floor(now / 1000) + settings.accessTtlSeconds
  // jti: two tokens issued in the same second (a login, then a refresh) must still differ; a client that
  // compares them to see whether it got a new one would otherwise be told no.
  const jti = crypto.randomUUID()
  const access = await signer.sign({ sub: String(user.id), typ: 'access', ver: user.tokenVersion, jti, exp: accessExp })
  return {
    access,
    refresh: refresh.token,
    access_expires_at: new Date(accessExp * 1000).toISOString(),
    refresh_expires_at: new Date(refresh.expiresAt).toISOString(),
    user: { id: user.id, email: user.email, name: user.name },
  }
}

/** Issues an access token and a refresh token in a new family (login). */
export async function issueTokens(db: Db, signer: AccessSigner, settings: TokenSettings, user: User) {
  const now = Date.now()
  const refresh = newRefresh(settings, now)
  await storeRefresh(db, user.id, crypto.randomUUID(), refresh)
  return tokenAnswer(signer, settings, user, refresh, now)
}

/**
 * Rotates a refresh token. Marking the old one rotated and storing its successor are one transaction: if the
 * successor could not be stored, the old token is still unrotated, so the client's retry is not taken for reuse.
 * Presenting one that was already rotated revokes its whole family.
 */
export async function rotateRefresh(db: Db, signer: AccessSigner, settings: TokenSettings, token: string) {
  const now = Date.now()
  const refresh = newRefresh(settings, now)
  const tokenHash = hashSecret(token)
  const outcome = await withTx(
    db,
    async (tx) => {
      const row = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get()
      if (!row || row.revokedAt || row.expiresAt <= now) return { ok: false as const }
      if (row.rotatedAt) {
        // Reuse of a rotated token: someone else may hold the family. Cut it off.
        await tx
          .update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)))
          .run()
        return { ok: false as const }
      }
      const user = await tx.select().from(users).where(eq(users.id, row.userId)).get()
      if (!user?.isActive) return { ok: false as const }
      await tx.update(refreshTokens).set({ rotatedAt: now }).where(eq(refreshTokens.id, row.id)).run()
      await storeRefresh(tx, user.id, row.familyId, refresh)
      return { ok: true as const, user }
    },
    // One token is rotated by one request at a time, on any node: the second sees it rotated (reuse).
    { lock: `refresh:${tokenHash}` },
  )
  if (!outcome.ok) throw new Unauthorized('Token is invalid or expired.', 'token_not_valid')
  return tokenAnswer(signer, settings, outcome.user, refresh, now)
}

/** Revokes one refresh token; unknown tokens are already as good as revoked. */
export async function revokeRefresh(db: Db, token: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: Date.now() })
    .where(and(eq(refreshTokens.tokenHash, hashSecret(token)), isNull(refreshTokens.revokedAt)))
    .run()
}

/** Revokes every refresh token of a user (password change, deactivation). */
export async function revokeAllRefreshFor(db: Db, userId: number): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: Date.now() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .run()
}

/** Housekeeping: removes expired tokens and those revoked or rotated more than a day ago (kept that long for reuse detection). */
export async function pruneRefreshTokens(db: Db, now = Date.now()): Promise<number> {
  const dayAgo = now - 24 * 3600_000
  return changesOf(
    await db
      .delete(refreshTokens)
      .where(or(lt(refreshTokens.expiresAt, now), and(isNotNull(refreshTokens.revokedAt), lt(refreshTokens.revokedAt, dayAgo))))
      .run(),
  )
}
