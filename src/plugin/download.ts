// The WordPress plugin as the zip an admin downloads and uploads in WordPress (Plugins → Add New → Upload).
// Built from the files embedded at build time, once per process.
import { pluginSources } from './files.generated'
import { zipEntries } from './zip'

let built: { bytes: Buffer; version: string } | undefined

/** The plugin's version, from its main file's header (what WordPress shows). */
function headerVersion(main: string | undefined): string {
  return /^\s*\*\s*Version:\s*([\w.-]+)/m.exec(main ?? '')?.[1] ?? '0'
}

/** The zip (one top folder `igny8-sync/`, as WordPress expects) and the plugin's version. */
export function pluginZip(): { bytes: Buffer; version: string } {
  built ??= {
    bytes: zipEntries(
      Object.entries(pluginSources).map(([path, text]) => ({ name: `igny8-sync/${path}`, data: Buffer.from(text, 'utf8') })),
    ),
    version: headerVersion(pluginSources['igny8-sync.php']),
  }
  return built
}
