// Who is calling: a user (JWT or admin session) or a site API key, resolved from the Authorization header.
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { prepared } from '../db/prepared'
import { apiKeys, sites, users, type User } from '../db/schema'
import { Forbidden, Unauthorized } from '../http/errors'
import { cachedCredential } from './credential-cache'
import { hashSecret, looksLikeApiKey, type AccessSigner } from './tokens'

export type UserCaller = { kind: 'user'; user: User }
export type ApiKeyCaller = { kind: 'apiKey'; keyId: number; siteId: number }
export type Caller = UserCaller | ApiKeyCaller

// Writing last_used_at on every request would make each read a write; a minute is precise enough.
const LAST_USED_GRANULARITY_MS = 60_000

/** Thrown instead of the plain 401 where a route asks to tell a missing header apart (GET /auth/me). */
export class AuthorizationHeaderMissing extends Unauthorized {
  constructor() {
    super(
      'The Authorization header did not reach the server: none arrived with this request. If the client sent one, ' +
        'something in between (the web host, a proxy, or the CGI/FastCGI setup) removed it.',
      'authorization_header_missing',
    )
  }
}

/** True when the request carries no usable Authorization header at all (absent, or blanked by a proxy). */
export const authorizationMissing = (authorization: string | null | undefined) => !authorization?.trim()

/** Resolves a Bearer token to a caller, or throws 401. */
export async function resolveBearer(db: Db, signer: AccessSigner, authorization: string | undefined): Promise<Caller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (!match) throw new Unauthorized()
  const token = match[1]!
  if (looksLikeApiKey(token)) return await resolveApiKey(db, token)
  const claims = await signer.verify(token)
  if (!claims || claims.typ !== 'access' || typeof claims.sub !== 'string')
    throw new Unauthorized('Invalid or expired access token.', 'token_not_valid')
  // The guard reads the user row anyway; comparing its token version costs nothing more.
  const id = Number(claims.sub)
  const user = await cachedCredential(db, `user:${id}`, async () => (await userById(db).execute({ id }))[0])
  if (!user || !user.isActive || (claims.ver ?? 0) !== user.tokenVersion)
    throw new Unauthorized('Invalid or expired access token.', 'token_not_valid')
  return { kind: 'user', user }
}

const userById = (db: Db) =>
  prepared(db, 'auth.userById', (d) =>
    d
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(),
  )

const activeKeyByHash = (db: Db) =>
  prepared(db, 'auth.activeKeyByHash', (d) =>
    d
      .select({ id: apiKeys.id, siteId: apiKeys.siteId, lastUsedAt: apiKeys.lastUsedAt })
      .from(apiKeys)
      .innerJoin(sites, eq(sites.id, apiKeys.siteId))
      .innerJoin(users, eq(users.id, sites.ownerId))
      // A key acts for its site's owner: once the owner is deactivated, so are the keys.
      .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt), eq(users.isActive, true)))
      .prepare(),
  )

async function resolveApiKey(db: Db, token: string): Promise<ApiKeyCaller> {
  const hash = hashSecret(token)
  const row = await cachedCredential(db, `key:${hash}`, async () => (await activeKeyByHash(db).execute({ hash }))[0])
  if (!row) throw new Unauthorized('Invalid or revoked API key.', 'invalid_api_key')
  const now = Date.now()
  if (!row.lastUsedAt || now - Date.parse(row.lastUsedAt) > LAST_USED_GRANULARITY_MS) {
    // Set on the (possibly cached) row first, so the requests arriving meanwhile do not write it too.
    row.lastUsedAt = new Date(now).toISOString()
    await db.update(apiKeys).set({ lastUsedAt: row.lastUsedAt }).where(eq(apiKeys.id, row.id)).run()
  }
  return { kind: 'apiKey', keyId: row.id, siteId: row.siteId }
}

/** Narrows to a user; API keys are for the plugin's routes only. */
export function requireUser(caller: Caller): User {
  if (caller.kind !== 'user') throw new Forbidden('This action needs a user login; site API keys cannot perform it.')
  return caller.user
}

export function requireAdmin(caller: Caller): User {
  const user = requireUser(caller)
  if (!user.isAdmin) throw new Forbidden('Only administrators can perform this action.')
  return user
}
