// Site → Content types: one card per post type and taxonomy with totals, synced progress, and the
// admin's Enabled / Limit overrides. Each card is a form that saves itself through htmx on change
// and swaps itself (hx-target="this"); without JavaScript the Save button posts and redirects back.
// A card with synced rows links to them: GET on the card's own URL.
import type { SiteContext } from '../../src/sites/overview'
import type { readContentTypes } from '../../src/integrations/content-types'
import type { serializeEvent } from '../../src/sync-log/service'
import { html, type Html } from '../../src/http/html'
import { alert, badge, csrfField, notice, utc } from '../components'
import { layout, type Viewer } from '../layout'
import { fmt } from '../pager'
import { pluginSettings, type PluginSettings } from './connect'
import { siteHeader } from './site-header'

export type ContentTypes = Awaited<ReturnType<typeof readContentTypes>>
export type TypeKind = 'post_types' | 'taxonomies'
export type TypeInfo = ContentTypes['post_types'][string]

export function typeCard(p: {
  siteId: number
  kind: TypeKind
  slug: string
  t: TypeInfo
  csrf: string
  error?: string
  saved?: boolean
}): Html {
  const { t } = p
  const action = `/sites/${p.siteId}/content-types/${p.kind}/${p.slug}`
  const id = `ct-${p.kind}-${p.slug}`
  return html`<form
    class="type-card ${t.enabled ? '' : 'is-disabled'}"
    id="${id}"
    method="post"
    action="${action}"
    hx-post="${action}"
    hx-trigger="change, submit"
    hx-target="this"
    hx-swap="outerHTML"
    hx-sync="this:replace"
    data-reset-on-error
  >
    ${csrfField(p.csrf)}
    <div class="type-card-head">
      <div class="type-title">
        <h3>${t.label}</h3>
        <code>${p.slug}</code>
      </div>
      ${t.overridden ? html`<span title="Changed here; plugin pushes keep this until you use the plugin's values again.">${badge('info', 'Override')}</span>` : ''}
    </div>
    <p class="type-counts">
      <span><strong>${fmt(t.count)}</strong> total · <strong>${fmt(t.synced_count)}</strong> synced</span>
      ${p.saved ? html`<span class="inline-ok small" role="status">Saved</span>` : html`<span class="htmx-indicator small muted">Saving…</span>`}
    </p>
    <progress
      max="${Math.max(t.count, 1)}"
      value="${Math.min(t.synced_count, Math.max(t.count, 1))}"
      aria-label="${t.label}: ${t.synced_count} of ${t.count} synced"
    ></progress>
    <div class="type-controls">
      <label class="switch"
        ><input type="checkbox" name="enabled" value="1" ${t.enabled ? html`checked` : ''} /><span
          class="switch-track"
          aria-hidden="true"
        ></span>
        Enabled</label
      >
      <label class="limit"
        >Limit <input type="number" name="fetch_limit" min="0" max="1000000" step="1" value="${t.fetch_limit}" inputmode="numeric"
      /></label>
      <noscript><button type="submit" class="btn btn-sm">Save</button></noscript>
    </div>
    ${p.error ? html`<p class="error small" role="alert">${p.error}</p>` : ''}
    ${
      t.synced_count > 0 || t.overridden
        ? html`<div class="type-card-foot">
            ${t.synced_count > 0 ? html`<a class="small strong" href="${action}">View synced ${p.kind === 'post_types' ? 'items' : 'terms'} →</a>` : ''}
            ${t.overridden ? html`<button type="submit" name="reset" value="1" class="btn-link small">Use plugin values</button>` : ''}
          </div>`
        : ''
    }
  </form>`
}

type CardError = { kind: TypeKind; slug: string; error: string }

function group(title: string, kind: TypeKind, types: Record<string, TypeInfo>, siteId: number, csrf: string, cardError?: CardError): Html {
  const entries = Object.entries(types)
  const errorFor = (slug: string) => (cardError?.kind === kind && cardError.slug === slug ? cardError.error : undefined)
  return html`<section class="type-group" aria-labelledby="h-${kind}">
    <h2 id="h-${kind}">${title} <span class="muted count">${entries.length}</span></h2>
    ${
      entries.length
        ? html`<div class="type-grid">${entries.map(([slug, t]) => typeCard({ siteId, kind, slug, t, csrf, error: errorFor(slug) }))}</div>`
        : html`<p class="muted">None reported.</p>`
    }
  </section>`
}

type SyncEventView = ReturnType<typeof serializeEvent>

export function contentTypesPage(p: {
  viewer: Viewer
  c: SiteContext
  types: ContentTypes
  settings: PluginSettings
  notice?: string
  cardError?: CardError
  /** The newest content, terms or pull event from the sync log. */
  lastSync?: SyncEventView
}): Html {
  const { c, types } = p
  const connected = !!types.last_structure_fetch
  return layout({
    title: `${c.site.name} · Content types`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'content-types')} ${notice(p.notice)}
    ${
      connected
        ? html`${group('Post Types', 'post_types', types.post_types, c.site.id, p.viewer.csrf, p.cardError)}
            ${group('Taxonomies', 'taxonomies', types.taxonomies, c.site.id, p.viewer.csrf, p.cardError)}
            <footer class="structure-foot">
              <p>Structure last fetched: <strong>${utc(types.last_structure_fetch)}</strong></p>
              <p>
                ${
                  p.lastSync
                    ? html`Content last synced:
                        <strong>${utc(p.lastSync.started_at)}</strong> ${p.lastSync.status === 'error' ? badge('bad', 'Error') : ''} —
                        ${p.lastSync.summary}`
                    : html`<span class="muted">No posts or terms synced yet.</span>`
                }
                · <a href="/sites/${c.site.id}/sync-log">Sync log</a>
              </p>
              ${
                types.stale
                  ? alert(
                      'warn',
                      html`<strong>Stale:</strong> the plugin has not sent its structure for more than 26 hours. Check that the plugin is
                        still connected and WP-Cron runs.`,
                    )
                  : ''
              }
            </footer>`
        : html`<section class="card empty">
            <h2>No structure received yet</h2>
            <p class="muted">Post types and taxonomies appear here once the IGNY8 plugin connects and pushes the site structure.</p>
            <ol class="steps">
              <li>Install and activate the IGNY8 plugin in WordPress.</li>
              <li>Open <strong>Settings → IGNY8 API</strong> and enter:</li>
            </ol>
            ${pluginSettings(p.settings)}
            <ol class="steps" start="3">
              <li>Click <strong>Connect to IGNY8</strong>. The plugin pushes its structure right away and daily after that.</li>
              <li>Lost the API key? <a href="/sites/${c.site.id}/connection">Generate a new one</a> on the Connection tab.</li>
            </ol>
          </section>`
    }`,
  })
}
