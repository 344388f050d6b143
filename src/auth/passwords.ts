// Password hashing with argon2id via Bun.password.

let verifications = 0
/** How many argon2 verifications this process has run; tests read it to prove the login limit holds under a burst. */
export const passwordVerifications = () => verifications

export const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: 'argon2id' })
export const verifyPassword = (password: string, hash: string) => {
  verifications++
  return Bun.password.verify(password, hash)
}

// Verifying against this when the email is unknown keeps both failures equally slow.
let dummyHash: Promise<string> | undefined
export const verifyAgainstDummy = async (password: string) => {
  dummyHash ??= hashPassword('not-a-real-password-just-timing')
  await verifyPassword(password, await dummyHash)
  return false
}
