// Encrypts Application Passwords at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the server secret,
// bound to its integration so a ciphertext copied to another row does not decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { PullError } from './errors'

const keys = new Map<string, Buffer>()
const keyFor = (secret: string): Buffer => {
  let key = keys.get(secret)
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'igny8-sync', 'pull-credentials/app-password/v1', 32))
    keys.set(secret, key)
  }
  return key
}
const aad = (integrationId: number) => Buffer.from(`integration:${integrationId}`)

/** `base64url(iv).base64url(ciphertext+tag)`, as the pull_credentials column expects. */
export function sealPassword(secret: string, integrationId: number, password: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret), iv).setAAD(aad(integrationId))
  const sealed = Buffer.concat([cipher.update(password, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${iv.toString('base64url')}.${sealed.toString('base64url')}`
}

/** The stored password in clear, or a PullError saying the credentials must be saved again. */
export function openPassword(secret: string, integrationId: number, stored: string): string {
  try {
    const [ivText, sealedText] = stored.split('.')
    const iv = Buffer.from(ivText ?? '', 'base64url')
    const sealed = Buffer.from(sealedText ?? '', 'base64url')
    if (iv.length !== 12 || sealed.length < 16) throw new Error('malformed')
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret), iv).setAAD(aad(integrationId))
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8')
  } catch {
    throw new PullError(
      'The stored Application Password cannot be decrypted (was the server secret changed?). Save the pull credentials again.',
      'credentials_unreadable',
    )
  }
}
