// Every PHP file of the plugin parses (php -l), and the plugin keeps the house rules that a grep can check.
import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { PLUGIN_SRC } from './helpers'

function phpFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? phpFiles(p) : p.endsWith('.php') ? [p] : []
  })
}
const files = phpFiles(PLUGIN_SRC)

describe('the plugin source', () => {
  it('has the bootstrap, includes/, admin/ and uninstall.php', () => {
    const rel = files.map((f) => relative(PLUGIN_SRC, f))
    for (const f of ['igny8-sync.php', 'uninstall.php', 'includes/class-igny8-api.php', 'admin/class-igny8-admin.php'])
      expect(rel).toContain(f)
  })

  it.each(files.map((f) => [relative(PLUGIN_SRC, f), f]))('php -l %s', (_name, file) => {
    const r = Bun.spawnSync(['php', '-l', file as string])
    expect(r.stdout.toString() + r.stderr.toString()).toContain('No syntax errors detected')
    expect(r.exitCode).toBe(0)
  })

  it('guards every file against direct access and uses one text domain', () => {
    for (const f of files) {
      const src = readFileSync(f, 'utf8')
      expect(src, f).toMatch(/defined\( '(ABSPATH|WP_UNINSTALL_PLUGIN)' \) \|\| exit;/)
      for (const m of src.matchAll(/(?:__|esc_html_e|esc_html__|esc_attr__|_e)\(\s*'(?:[^'\\]|\\.)*',\s*'([^']+)'/g))
        expect(m[1], f).toBe('igny8-sync')
    }
  })

  it('makes HTTP requests only through wp_remote_request with an explicit timeout', () => {
    for (const f of files) {
      const src = readFileSync(f, 'utf8')
      expect(src, f).not.toMatch(/wp_(safe_)?remote_(get|post|head)\(|curl_init|file_get_contents\(\s*['"]https?:/)
    }
    const api = readFileSync(join(PLUGIN_SRC, 'includes', 'class-igny8-api.php'), 'utf8')
    expect(api).toMatch(/'timeout'\s*=>/)
  })
})
