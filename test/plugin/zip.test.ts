// The plugin zip: the server hands it out to signed-in users from the files embedded at build time, and
// unzip (an independent reader) extracts exactly the plugin's files under one igny8-sync/ folder.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildPluginZip } from '../../scripts/build-plugin-zip'
import { MANIFEST, PLUGIN_DIR, pluginFiles, renderManifest } from '../../scripts/embed-plugin'
import { adminSession, send } from '../admin/client'
import { startServer, type TestServer } from '../helpers/server'

const INSTALLER = join(import.meta.dir, '..', '..', 'scripts', 'install-test-deps.sh')
const tmp = mkdtempSync(join(tmpdir(), 'igny8-zip-'))
let s: TestServer
beforeAll(async () => {
  const check = Bun.spawnSync(['bash', INSTALLER, '--check', 'tools'])
  if (check.exitCode !== 0) throw new Error(`unzip is missing:\n${check.stderr.toString()}`)
  s = await startServer()
}, 30_000)
afterAll(async () => {
  await s?.stop()
  rmSync(tmp, { recursive: true, force: true })
}, 30_000)

/** Extracts `zip` with Debian's unzip after its own integrity test; answers the folder. */
function unzip(zip: Buffer, name: string): string {
  const file = join(tmp, `${name}.zip`)
  writeFileSync(file, zip)
  expect(Bun.spawnSync(['unzip', '-t', file]).stdout.toString()).toContain('No errors detected')
  const dest = join(tmp, name)
  expect(Bun.spawnSync(['unzip', '-q', file, '-d', dest]).exitCode).toBe(0)
  return dest
}

describe('GET /plugin/igny8-sync.zip', () => {
  it('gives a signed-in user the plugin: every file under igny8-sync/, byte for byte, named with its version', async () => {
    const { session } = await adminSession(s, { admin: false })
    const res = await fetch(`${s.base}/plugin/igny8-sync.zip`, { headers: { cookie: session.cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/zip')
    const version = /Version:\s*([\w.-]+)/.exec(readFileSync(join(PLUGIN_DIR, 'igny8-sync.php'), 'utf8'))![1]
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="igny8-sync-${version}.zip"`)
    const dest = unzip(Buffer.from(await res.arrayBuffer()), 'served')
    const files = pluginFiles(PLUGIN_DIR)
    expect(pluginFiles(join(dest, 'igny8-sync'))).toEqual(files)
    for (const f of files) expect(readFileSync(join(dest, 'igny8-sync', f)).equals(readFileSync(join(PLUGIN_DIR, f)))).toBe(true)
  })

  it('sends a visitor to the login page instead', async () => {
    const res = await send(s, 'GET', '/plugin/igny8-sync.zip')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Fplugin%2Figny8-sync.zip')
  })

  it('is linked from the page that shows a new site its key', async () => {
    const { session } = await adminSession(s)
    const page = await send(s, 'POST', '/sites', { session, form: { _csrf: session.csrf, name: 'Zip', url: 'https://zip.example' } })
    expect(page.status).toBe(201)
    expect(page.text).toContain('href="/plugin/igny8-sync.zip"')
  })
})

describe('the embedded plugin', () => {
  it('is current: src/plugin/files.generated.ts lists every plugin file (run `bun scripts/embed-plugin.ts`)', () => {
    expect(readFileSync(MANIFEST, 'utf8')).toBe(renderManifest())
  })

  it('builds the same bytes from disk (scripts/build-plugin-zip.ts) as the server serves, every time', async () => {
    const a = join(tmp, 'a.zip')
    buildPluginZip(PLUGIN_DIR, a)
    buildPluginZip(PLUGIN_DIR, join(tmp, 'b.zip'))
    expect(readFileSync(a).equals(readFileSync(join(tmp, 'b.zip')))).toBe(true)
    const { session } = await adminSession(s, { admin: false })
    const served = Buffer.from(
      await (await fetch(`${s.base}/plugin/igny8-sync.zip`, { headers: { cookie: session.cookie } })).arrayBuffer(),
    )
    expect(served.equals(readFileSync(a))).toBe(true)
  })
})
