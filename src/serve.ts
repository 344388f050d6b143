// `igny8 serve`: open and migrate the database, listen, run the daily job, shut down cleanly on SIGTERM.
import { setupToken } from './admin/setup'
import { createApp, createContext } from './app'
import { dbTarget, ensureDataDir, type Config } from './config'
import { closeDb, openDb } from './db/client'
import { migrateDb } from './db/migrate'
import { startCheckpointer } from './db/checkpointer'
import { sqliteOf } from './db/sqlite'
import { transportBodyLimit } from './http/body'
import { collectWhenIdle } from './http/idle-collect'
import { createLogger } from './log'
import { startDailySchedule } from './cron'
import { startChangeWorker } from './changes/worker'
import { stopPulls } from './pull/runs'

/** How long shutdown waits for the handlers of requests whose client has gone. */
const IN_FLIGHT_WAIT_MS = 10_000

export async function serve(config: Config): Promise<number> {
  const log = createLogger(config.logLevel)
  ensureDataDir(config.dataDir)
  const db = openDb(dbTarget(config))
  await migrateDb(db)
  const checkpointer = startCheckpointer(db)
  const ctx = createContext(db, config, log)
  const app = await createApp(ctx)
  try {
    // reusePort off: a second server on a taken port must fail, not silently share it.
    app.listen({ hostname: config.host, port: config.port, maxRequestBodySize: transportBodyLimit, reusePort: false })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    await checkpointer.stop()
    await closeDb(db)
    const why =
      code === 'EADDRINUSE'
        ? 'is already in use'
        : code === 'EACCES'
          ? 'needs more privileges'
          : `cannot be opened (${code ?? (e as Error).message})`
    process.stderr.write(`igny8: port ${config.port} on ${config.host} ${why}\n`)
    return 2
  }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${app.server!.port}`
  log.info('listening', { url, data_dir: config.dataDir, version: ctx.version })
  if (await setupToken(ctx))
    log.warn('first run: finish setup in a browser with the setup token above', {
      setup_url: `${config.baseUrl?.replace(/\/+$/, '') ?? url}/setup`,
    })
  const daily = await startDailySchedule(app, ctx)
  const changes = await startChangeWorker(ctx) // push-back deliveries and nudges, outside any request
  const collector = collectWhenIdle(ctx.inFlight)

  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = async (signal: string) => {
      if (stopping) return
      stopping = true
      log.info('shutting down', { signal })
      // Abort running pulls first ("Sync now" ones run in the background, API ones hold a request open), so
      // in-flight requests can finish; then wait for the pulls to record their events before the database closes.
      const pulls = stopPulls(db)
      const deliveries = changes.stop() // aborts a running REST delivery; its lease runs out if it cannot record
      collector.stop()
      await app.stop(false)
      // Handlers of requests whose client left are not waited for by stop(); the database must outlive them too.
      if (!(await ctx.inFlight.settled(IN_FLIGHT_WAIT_MS)))
        log.warn('stopping with requests still being handled', { waited_ms: IN_FLIGHT_WAIT_MS })
      await pulls
      await daily.stop() // aborts a running job's pulls and waits for it, so the database closes after it
      await deliveries
      await checkpointer.stop()
      if (db.engine === 'sqlite') sqliteOf(db).exec('PRAGMA optimize')
      await closeDb(db)
      log.info('stopped')
      resolve(0)
    }
    process.once('SIGTERM', () => void stop('SIGTERM'))
    process.once('SIGINT', () => void stop('SIGINT'))
  })
}
