// Who is calling: a user (JWT or admin session) or a site API key, resolved from the Authorization header.
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { prepared } from '../db/prepared'
import { apiKeys, users, type User } from '../db/schema'
import { Forbidden, Unauthorized } from '../http/errors'
import { hashSecret, looksLikeApiKey, type AccessSigner } from './tokens'

export type UserCaller = { kind: 'user'; user: User }
export type ApiKeyCaller = { kind: 'apiKey'; keyId: number; siteId: number }
export type Caller = UserCaller | ApiKeyCaller

// Writing last_used_at on every request would make each read a write; a minute is precise enough.
const LAST_USED_GRANULARITY_MS = 60_000

/** Resolves a Bearer token to a caller, or throws 401. */
export async function resolveBearer(db: Db, signer: AccessSigner, authorization: string | undefined): Promise<Caller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (!match) throw new Unauthorized()
  const token = match[1]!
  if (looksLikeApiKey(token)) return resolveApiKey(db, token)
  const claims = await signer.verify(token)
  if (!claims || claims.typ !== 'access' || typeof claims.sub !== 'string')
    throw new Unauthorized('Invalid or expired access token.', 'token_not_valid')
  const user = userById(db).get({ id: Number(claims.sub) })
  if (!user || !user.isActive) throw new Unauthorized('Invalid or expired access token.', 'token_not_valid')
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
      .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
      .prepare(),
  )

function resolveApiKey(db: Db, token: string): ApiKeyCaller {
  const row = activeKeyByHash(db).get({ hash: hashSecret(token) })
  if (!row) throw new Unauthorized('Invalid or revoked API key.', 'invalid_api_key')
  const now = Date.now()
  if (!row.lastUsedAt || now - Date.parse(row.lastUsedAt) > LAST_USED_GRANULARITY_MS) {
    db.update(apiKeys)
      .set({ lastUsedAt: new Date(now).toISOString() })
      .where(eq(apiKeys.id, row.id))
      .run()
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
