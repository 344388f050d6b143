// Site → Connection: what the plugin last reported, the site's API keys, and activating the site.
import { html, type Html } from '../../src/http/html'
import type { IntegrationConfig } from '../../src/integrations/config'
import type { SiteStatus } from '../../src/sites/overview'
import { badge, csrfField, notice, time, utc } from '../components'
import { layout, type Viewer } from '../layout'
import { keyReveal, pluginSettings, type PluginSettings } from './connect'
import { siteHeader, type SiteHeading } from './site-header'

/** What the connection page shows of a site: its heading, whether it is active, what the plugin reported. */
export type ConnectionSite = {
  site: SiteHeading & { isActive: boolean }
  config: Pick<IntegrationConfig, 'content_types' | 'plugin_connection_enabled' | 'two_way_sync_enabled'>
  status: SiteStatus
}
/** A key as listed: its prefix and dates, never the key or its hash. */
export type KeyRow = { id: number; prefix: string; name: string; createdAt: string; lastUsedAt: string | null }

const flag = (v: boolean | undefined, connected: boolean) =>
  !connected ? html`<span class="muted">—</span>` : v === false ? badge('warn', 'Off') : badge('ok', 'On')

function lastContact(c: ConnectionSite, keys: KeyRow[]): string | null {
  const times = [c.config.content_types?.last_structure_fetch, ...keys.map((k) => k.lastUsedAt)].filter((t): t is string => !!t)
  return times.sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null
}

/** The API keys panel; also the htmx answer to generating or revoking a key. */
export function keysPanel(p: {
  viewer: Viewer
  siteId: number
  keys: KeyRow[]
  newKey?: string
  settings: PluginSettings
  message?: string
}): Html {
  const base = `/sites/${p.siteId}/keys`
  return html`<div id="keys-panel" class="stack">
    ${p.newKey ? keyReveal({ key: p.newKey, settings: p.settings }) : ''}
    <section class="card card-flush">
      <div class="card-head">
        <h2>API keys</h2>
        <form method="post" action="${base}" hx-post="${base}" hx-target="#keys-panel" hx-swap="outerHTML">
          ${csrfField(p.viewer.csrf)}<button type="submit" class="btn btn-sm btn-primary">Generate new key</button>
        </form>
      </div>
      ${p.message ? html`<p class="inline-ok card-pad">${p.message}</p>` : ''}
      ${
        p.keys.length
          ? html`<table class="table responsive">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${p.keys.map(
                  (k) =>
                    html`<tr>
                      <td data-label="Key"><code>${k.prefix}…</code>${k.name ? html` <span class="muted small">${k.name}</span>` : ''}</td>
                      <td data-label="Created">${time(k.createdAt)}</td>
                      <td data-label="Last used">${time(k.lastUsedAt)}</td>
                      <td data-label="Actions" class="actions">
                        <form
                          method="post"
                          action="${base}/${k.id}/revoke"
                          hx-post="${base}/${k.id}/revoke"
                          hx-target="#keys-panel"
                          hx-swap="outerHTML"
                          hx-confirm="Revoke key ${k.prefix}…? A plugin using it stops working at once."
                        >
                          ${csrfField(p.viewer.csrf)}<button type="submit" class="btn btn-sm btn-danger">Revoke</button>
                        </form>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted card-pad">No active keys. Generate one to connect the plugin.</p>`
      }
    </section>
  </div>`
}

/** Activate / deactivate; also its own htmx answer. */
export function activePanel(p: { viewer: Viewer; c: Pick<ConnectionSite, 'site'> }): Html {
  const active = p.c.site.isActive
  const action = `/sites/${p.c.site.id}/active`
  return html`<section class="card" id="active-panel">
    <h2>Site status</h2>
    <p>
      ${active ? badge('ok', 'Active') : badge('bad', 'Inactive')}
      <span class="muted"
        >${active ? 'The plugin may push structure and content.' : 'The plugin is refused until the site is activated again.'}</span
      >
    </p>
    <form
      method="post"
      action="${action}"
      hx-post="${action}"
      hx-target="#active-panel"
      hx-swap="outerHTML"
      ${active ? html`hx-confirm="Deactivate this site? Its plugin will be refused until you activate it again."` : ''}
    >
      ${csrfField(p.viewer.csrf)}<input type="hidden" name="value" value="${active ? 'off' : 'on'}" />
      <button type="submit" class="btn ${active ? 'btn-danger' : 'btn-primary'}">${active ? 'Deactivate site' : 'Activate site'}</button>
    </form>
  </section>`
}

export function connectionPage(p: {
  viewer: Viewer
  c: ConnectionSite
  keys: KeyRow[]
  settings: PluginSettings
  notice?: string
  newKey?: string
}): Html {
  const { c } = p
  const ct = c.config.content_types
  const connected = !!ct?.last_structure_fetch
  return layout({
    title: `${c.site.name} · Connection`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'connection')} ${notice(p.notice)}
      <div class="grid-2">
        <section class="card">
          <h2>What the plugin reported</h2>
          <dl class="facts">
            <dt>Last contact</dt>
            <dd>${time(lastContact(c, p.keys))}</dd>
            <dt>Last structure</dt>
            <dd>${utc(ct?.last_structure_fetch)}</dd>
            <dt>WordPress URL</dt>
            <dd class="truncate">${ct?.site_url ?? html`<span class="muted">—</span>`}</dd>
            <dt>WordPress version</dt>
            <dd>${ct?.wordpress_version ?? html`<span class="muted">—</span>`}</dd>
            <dt>Plugin connection</dt>
            <dd>${flag(c.config.plugin_connection_enabled, connected)}</dd>
            <dt>Two-way sync</dt>
            <dd>${flag(c.config.two_way_sync_enabled, connected)}</dd>
          </dl>
        </section>
        <section class="card">
          <h2>Plugin settings</h2>
          <p class="muted">In WordPress: <strong>Settings → IGNY8 API</strong>, then <strong>Connect to IGNY8</strong>.</p>
          ${pluginSettings(p.settings)}
        </section>
      </div>
      ${keysPanel({ viewer: p.viewer, siteId: c.site.id, keys: p.keys, newKey: p.newKey, settings: p.settings })}
      ${activePanel({ viewer: p.viewer, c })}`,
  })
}
