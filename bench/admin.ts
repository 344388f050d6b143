// The admin every benchmark logs in as, made with the executable's own `user create` before its server starts.
import { spawnSync } from 'node:child_process'

export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-abcdef'
export const BENCH_USER = { email: 'bench@example.com', password: 'bench-password-1' }

/** Creates BENCH_USER as an admin in `dataDir` (and on the database of `dbArgs`, e.g. `--database-url URL`). */
export function createBenchAdmin(bin: string, dataDir: string, dbArgs: string[] = []): void {
  const created = spawnSync(bin, [
    'user',
    'create',
    '--email',
    BENCH_USER.email,
    '--password',
    BENCH_USER.password,
    '--admin',
    '--data-dir',
    dataDir,
    '--secret',
    BENCH_SECRET,
    ...dbArgs,
  ])
  if (created.status !== 0) throw new Error(`user create failed: ${created.stderr}`)
}

/** POSTs JSON to `base` + path, with a bearer token when given; answers the parsed body. */
export const jsonPoster =
  (base: string) =>
  async (path: string, token: string | null, body: unknown): Promise<any> =>
    (
      await fetch(base + path, {
        method: 'POST',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()
