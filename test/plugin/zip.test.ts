// scripts/build-plugin-zip.ts writes a zip that unzip reads back byte for byte, under one igny8-sync/ folder.
import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildPluginZip, PLUGIN_DIR } from '../../scripts/build-plugin-zip'

const tmp = mkdtempSync(join(tmpdir(), 'igny8-zip-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('scripts/build-plugin-zip.ts', () => {
  it('packs every plugin file under igny8-sync/, and unzip extracts them unchanged', () => {
    const out = join(tmp, 'igny8-sync.zip')
    const names = buildPluginZip(PLUGIN_DIR, out)
    expect(names).toContain('igny8-sync/igny8-sync.php')
    expect(names).toContain('igny8-sync/uninstall.php')
    expect(names.every((n) => n.startsWith('igny8-sync/'))).toBe(true)
    const test = Bun.spawnSync(['unzip', '-t', out])
    expect(test.stdout.toString()).toContain('No errors detected')
    const dest = join(tmp, 'x')
    expect(Bun.spawnSync(['unzip', '-q', out, '-d', dest]).exitCode).toBe(0)
    for (const n of names)
      expect(readFileSync(join(dest, n)).equals(readFileSync(join(PLUGIN_DIR, n.slice('igny8-sync/'.length))))).toBe(true)
  })

  it('is reproducible: the same tree gives the same bytes', () => {
    buildPluginZip(PLUGIN_DIR, join(tmp, 'a.zip'))
    buildPluginZip(PLUGIN_DIR, join(tmp, 'b.zip'))
    expect(readFileSync(join(tmp, 'a.zip')).equals(readFileSync(join(tmp, 'b.zip')))).toBe(true)
  })
})
