// `bun scripts/build-plugin-zip.ts [out.zip]`: packs wordpress-plugin/igny8-sync into dist/igny8-sync.zip
// (one top folder `igny8-sync/`, as WordPress's "Upload Plugin" expects), with the server's own zip writer.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { zipEntries } from '../src/plugin/zip'
import { PLUGIN_DIR, pluginFiles } from './embed-plugin'

export { PLUGIN_DIR }
export const DEFAULT_OUT = join(import.meta.dir, '..', 'dist', 'igny8-sync.zip')

/** Writes the zip of `src` (entries under `igny8-sync/`) to `out`; answers the entry names. */
export function buildPluginZip(src = PLUGIN_DIR, out = DEFAULT_OUT): string[] {
  const entries = pluginFiles(src).map((f) => ({ name: `igny8-sync/${f}`, data: readFileSync(join(src, f)) }))
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, zipEntries(entries))
  return entries.map((e) => e.name)
}

if (import.meta.main) {
  const out = process.argv[2] ?? DEFAULT_OUT
  const names = buildPluginZip(PLUGIN_DIR, out)
  console.log(`${out}: ${names.length} files`)
}
