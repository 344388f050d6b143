// Password hashing with argon2id via Bun.password.
export const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: 'argon2id' })
export const verifyPassword = (password: string, hash: string) => Bun.password.verify(password, hash)

// Verifying against this when the email is unknown keeps both failures equally slow.
let dummyHash: Promise<string> | undefined
export const verifyAgainstDummy = async (password: string) => {
  dummyHash ??= hashPassword('not-a-real-password-just-timing')
  await verifyPassword(password, await dummyHash)
  return false
}
