// Runtime configuration: every CLI flag also comes from an IGNY8_* environment variable.
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { isValidCronPattern } from './cron/schedule'

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes')

export const configSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  dataDir: z.string().min(1).default('./data'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// URL, e.g. postgres://igny8:password@127.0.0.1:5432/igny8')
    .optional(),
  secret: z.string().min(32, 'must be at least 32 characters').optional(),
  baseUrl: z.string().url().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  trustProxy: bool.default(false),
  trustedProxies: z.coerce.number().int().min(1, 'must be at least 1').max(20).default(1),
  cron: z.string().min(1).default('0 3 * * *').refine(isValidCronPattern, 'not a valid cron pattern'),
  backupKeep: z.coerce.number().int().min(0).default(7),
  syncLogRetentionDays: z.coerce.number().int().min(1).default(90),
  pullAllowPrivate: bool.default(false),
  accessTtlSeconds: z.coerce.number().int().min(60).default(3600),
  refreshTtlSeconds: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
})
export type ConfigInput = z.input<typeof configSchema>
export type Config = z.output<typeof configSchema> & { secret: string; dataDir: string }

/** Each option with its flag, environment variable and help line; `--help` and the README come from this. */
export const options = {
  host: { flag: 'host', env: 'IGNY8_HOST', help: 'address to listen on (default 127.0.0.1)' },
  port: { flag: 'port', env: 'IGNY8_PORT', help: 'port to listen on (default 8080)' },
  dataDir: { flag: 'data-dir', env: 'IGNY8_DATA_DIR', help: 'directory for the database, secret and backups (default ./data)' },
  databaseUrl: {
    flag: 'database-url',
    env: 'IGNY8_DATABASE_URL',
    help: 'PostgreSQL ≥ 15 instead of the embedded SQLite, for more than one node (postgres://user:password@host:5432/db)',
  },
  secret: { flag: 'secret', env: 'IGNY8_SECRET', help: 'signing/encryption secret, ≥32 chars (default: generated into <data-dir>/secret)' },
  baseUrl: { flag: 'base-url', env: 'IGNY8_BASE_URL', help: 'public URL used for absolute links (default: from the request)' },
  logLevel: { flag: 'log-level', env: 'IGNY8_LOG_LEVEL', help: 'debug | info | warn | error (default info)' },
  trustProxy: {
    flag: 'trust-proxy',
    env: 'IGNY8_TRUST_PROXY',
    bool: true,
    help: 'honour X-Forwarded-For/-Proto from a reverse proxy (default false)',
  },
  trustedProxies: {
    flag: 'trusted-proxies',
    env: 'IGNY8_TRUSTED_PROXIES',
    help: 'with --trust-proxy: how many proxies of yours append to X-Forwarded-For (default 1)',
  },
  cron: { flag: 'cron', env: 'IGNY8_CRON', help: "daily job schedule, cron syntax in UTC (default '0 3 * * *')" },
  backupKeep: { flag: 'backup-keep', env: 'IGNY8_BACKUP_KEEP', help: 'dated backups to keep (default 7)' },
  syncLogRetentionDays: {
    flag: 'sync-log-retention-days',
    env: 'IGNY8_SYNC_LOG_RETENTION_DAYS',
    help: 'days of sync log to keep (default 90)',
  },
  pullAllowPrivate: {
    flag: 'pull-allow-private',
    env: 'IGNY8_PULL_ALLOW_PRIVATE',
    bool: true,
    help: 'allow pulling from loopback/private addresses (default false)',
  },
  accessTtlSeconds: { flag: 'access-ttl', env: 'IGNY8_ACCESS_TTL', help: 'access token lifetime in seconds (default 3600)' },
  refreshTtlSeconds: { flag: 'refresh-ttl', env: 'IGNY8_REFRESH_TTL', help: 'refresh token lifetime in seconds (default 2592000)' },
} as const satisfies Record<keyof ConfigInput, { flag: string; env: string; help: string; bool?: boolean }>

export class ConfigError extends Error {}

/** Merges flags over environment over defaults and validates; throws ConfigError with one clear line. */
export function resolveConfig(flags: Record<string, unknown>, env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const [key, o] of Object.entries(options)) {
    const v = flags[o.flag] ?? env[o.env]
    if (v !== undefined && v !== '') raw[key] = v
  }
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = String(issue.path[0]) as keyof typeof options
    const o = options[key]
    throw new ConfigError(`invalid --${o?.flag ?? key} (${o?.env ?? ''}): ${issue.message}`)
  }
  const dataDir = resolve(parsed.data.dataDir)
  // Every node must sign and encrypt with the same secret; one generated into a node's own data dir would not be.
  if (parsed.data.databaseUrl && !parsed.data.secret)
    throw new ConfigError('with --database-url, give every node the same --secret (IGNY8_SECRET, at least 32 characters)')
  return { ...parsed.data, dataDir, secret: parsed.data.secret ?? loadOrCreateSecret(dataDir) }
}

/** Makes sure the data dir exists and is writable, with a clear message when it is not. */
export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // A name of this process's own: two processes starting on one data dir at once (two servers, a server and a
    // command) would otherwise remove each other's probe, and one of them would stop on ENOENT.
    const probe = join(dir, `.write-test-${process.pid}-${crypto.randomUUID()}`)
    writeFileSync(probe, '')
    rmSync(probe)
  } catch (e) {
    throw new ConfigError(`data dir ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
}

/** Reads <dataDir>/secret, generating 32 random bytes there (mode 0600) on first run. */
export function loadOrCreateSecret(dataDir: string): string {
  ensureDataDir(dataDir)
  const file = join(dataDir, 'secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
  // Written whole under a name of its own, then linked into place: a process starting beside this one (a second
  // server, a command) either finds no secret or the whole one, and whichever links first is the secret of both.
  const written = join(dataDir, `.secret-${process.pid}-${crypto.randomUUID()}`)
  try {
    writeFileSync(written, secret + '\n', { mode: 0o600, flag: 'wx' })
    chmodSync(written, 0o600)
    linkSync(written, file)
    return secret
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    return readFileSync(file, 'utf8').trim()
  } finally {
    rmSync(written, { force: true })
  }
}

export const dbFile = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'igny8.db')

/** What openDb opens: the PostgreSQL URL when one is configured, else the SQLite file in the data dir. */
export const dbTarget = (config: Pick<Config, 'dataDir' | 'databaseUrl'>) => config.databaseUrl ?? dbFile(config)
