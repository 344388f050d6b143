// `igny8 health`: asks a running server on this machine for /api/v1/health/ (used by the Docker HEALTHCHECK).
import type { Config } from '../config'
import { fail } from './shared'

export async function health(config: Config): Promise<number> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/api/v1/health/`
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) })
    const body = (await res.json()) as { data?: { status?: string; engine?: string } }
    process.stdout.write(`${res.status} ${body.data?.status ?? 'unknown'} (${body.data?.engine ?? 'unknown'})\n`)
    return res.ok ? 0 : 1
  } catch (e) {
    return fail(`no healthy server at ${url} (${(e as Error).name})`)
  }
}
