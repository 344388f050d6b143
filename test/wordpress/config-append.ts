// Changing a running instance's wp-config: append to its per-port config, then wait until php -S serves it.
import { appendFileSync, statSync, utimesSync } from 'node:fs'

/** The header every response carries (set by muInstance): the highest config revision the request's PHP compiled. */
export const CONFIG_REV_HEADER = 'x-igny8-config-rev'
export const CONFIG_REV_PREFIX = 'IGNY8_TEST_CONFIG_REV_'

/**
 * Appends `php` to the instance's config with a new revision constant, and waits until php -S's responses name that
 * revision. php-cli reads the new file at once, but php -S's opcache keeps serving the compiled old one until it
 * revalidates (measured: up to ~2.8 s), and it compares mtimes in whole seconds, so a file appended within the
 * second it was compiled in would never be recompiled: the mtime is moved past it.
 */
export async function appendConfig(o: { configFile: string; url: string; rev: number }, php: string): Promise<void> {
  const before = statSync(o.configFile).mtimeMs
  appendFileSync(o.configFile, `\n${php}\ndefine('${CONFIG_REV_PREFIX}${o.rev}', true);\n`)
  const later = new Date(Math.max(Date.now(), before + 2000))
  utimesSync(o.configFile, later, later)
  const deadline = Date.now() + 15_000
  for (;;) {
    const res = await fetch(`${o.url}/wp-login.php`, { redirect: 'manual' })
    await res.arrayBuffer()
    if (Number(res.headers.get(CONFIG_REV_HEADER) ?? 0) >= o.rev) return
    if (Date.now() > deadline) throw new Error(`php -S did not serve config revision ${o.rev} of ${o.configFile} within 15 s`)
    await Bun.sleep(100)
  }
}
