// Token material: JWT access tokens (via @elysiajs/jwt), opaque refresh tokens and site API keys.
import { randomBytes } from 'node:crypto'
import { jwt } from '@elysiajs/jwt'

/**
 * `ver` is the user's token version at issue; a password change or deactivation bumps it, voiding older tokens.
 * A token without it (issued before versions existed) counts as version 0.
 */
export type AccessClaims = { sub: string; typ: 'access'; ver?: number; jti?: string; exp?: number; iat?: number }
export type AccessSigner = {
  sign(claims: { sub: string; typ: 'access'; ver?: number; jti?: string; exp: number }): Promise<string>
  verify(token: string): Promise<false | Record<string, unknown>>
}

/** The @elysiajs/jwt decorator as a plain signer that services can take without Elysia types. */
export function createAccessSigner(secret: string): AccessSigner {
  const plugin = jwt({ name: 'jwt', secret: `access:${secret}`, alg: 'HS256' })
  return (plugin.decorator as unknown as { jwt: AccessSigner }).jwt
}

export const API_KEY_PREFIX = 'igny8_sk_'
const REFRESH_PREFIX = 'igny8_rt_'

/** SHA-256 is enough for 256-bit random secrets: no dictionary to attack, and lookups stay O(1). */
export const hashSecret = (secret: string): string => Bun.SHA256.hash(secret, 'hex')

const randomToken = (prefix: string) => prefix + randomBytes(32).toString('base64url')

export const newRefreshToken = () => randomToken(REFRESH_PREFIX)
export const newApiKey = () => randomToken(API_KEY_PREFIX)
/** What the admin sees to tell keys apart: the fixed prefix plus six characters. */
export const apiKeyDisplayPrefix = (key: string) => key.slice(0, API_KEY_PREFIX.length + 6)
export const looksLikeApiKey = (token: string) => token.startsWith(API_KEY_PREFIX)
