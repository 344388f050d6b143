// Headless Chromium for the admin's browser tests: Debian's /usr/bin/chromium driven by playwright-core.
// The browser comes from the Debian archive (`npm test` installs it first), never downloaded by Playwright.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
const INSTALLER = join(import.meta.dir, '..', '..', 'scripts', 'install-test-deps.sh')

// Quiet, offline, reproducible: no GPU, no sandbox (containers run as root), no calls home.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Fails, never skips, when Debian's chromium is not installed. Only checks (dpkg, instant): `npm test`
 * installs it before the suite starts, because a hook waiting for apt would time out.
 */
export function ensureChromium(): void {
  const run = spawnSync('bash', [INSTALLER, '--check', 'chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (run.status !== 0) {
    throw new Error(`Chromium is not installed (\`npm test\` installs it before the suite starts).\n${run.stderr || run.stdout}`)
  }
}

export type Browser = { context: BrowserContext; page: Page; close(): Promise<void> }

/** Starts Chromium with a fresh profile directory and one page. */
export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  ensureChromium()
  const profile = mkdtempSync(join(tmpdir(), 'igny8-chromium-'))
  // launchPersistentContext is Playwright's way to pass --user-data-dir (plain launch() refuses that flag).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
    timeout: 60_000,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

export const SCREENSHOTS = join(import.meta.dir, '..', '..', 'test-output', 'screenshots')

/** Saves a full-page screenshot as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}
