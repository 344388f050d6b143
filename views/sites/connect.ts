// Showing a new API key once, with exactly what to type into the plugin; used after creating a site
// and after generating another key.
import { html, type Html } from '../../src/http/html'
import { copyable } from '../components'
import { layout, type Viewer } from '../layout'
import type { SiteHeading } from './site-header'

export type PluginSettings = { apiBase: string; email: string }

/** Where to get the plugin, and the values it asks for; the key only when it was just created. */
export function pluginSettings(s: PluginSettings, key?: string): Html {
  return html`<dl class="settings">
    <dt>Plugin</dt>
    <dd>
      <a href="/plugin/igny8-sync.zip" download id="plugin-download">Download the IGNY8 Sync plugin (.zip)</a>
      <span class="muted">— in WordPress: Plugins → Add New → Upload Plugin, then activate it.</span>
    </dd>
    <dt>API base URL</dt>
    <dd>${copyable('set-api-base', s.apiBase, 'API base URL')}</dd>
    <dt>Email</dt>
    <dd>${copyable('set-email', s.email, 'email')}</dd>
    <dt>Password</dt>
    <dd><span class="muted">Your own password for this server (never shown here).</span></dd>
    <dt>API key</dt>
    <dd>
      ${key ? copyable('set-key', key, 'API key') : html`<span class="muted">Shown once when a key is generated. Generate a new key below if you need one.</span>`}
    </dd>
  </dl>`
}

/** The once-only key panel. */
export function keyReveal(p: { key: string; settings: PluginSettings }): Html {
  return html`<section class="card card-accent key-reveal" id="new-key">
    <h2>Your new API key</h2>
    <p class="warn-text"><strong>Copy it now.</strong> It is stored only as a hash and will not be shown again.</p>
    <p>In WordPress, open <strong>Settings → IGNY8 API</strong>, enter these values and click <strong>Connect to IGNY8</strong>:</p>
    ${pluginSettings(p.settings, p.key)}
  </section>`
}

export function siteCreatedPage(p: { viewer: Viewer; site: SiteHeading; key: string; settings: PluginSettings }): Html {
  return layout({
    title: `Site created: ${p.site.name}`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/sites">Sites</a> <span aria-hidden="true">/</span> ${p.site.name}</nav>
      <div class="page-head">
        <h1>Site created</h1>
        <p class="muted">${p.site.name} · ${p.site.url}</p>
      </div>
      ${keyReveal(p)}
      <p class="button-row">
        <a class="btn btn-primary" href="/sites/${p.site.id}/content-types">I have connected the plugin</a>
        <a class="btn" href="/sites/${p.site.id}/connection">Connection settings</a>
        <a class="btn btn-ghost" href="/sites">Back to sites</a>
      </p>`,
  })
}
