// The page shells: the signed-in layout (top bar, navigation, CSRF wiring for htmx) and the bare one
// for setup, login and errors.
import { assetUrls } from '../src/admin/assets'
import { html, type Html } from '../src/http/html'

export type Viewer = { id: number; email: string; name: string; isAdmin: boolean; csrf: string }
export type NavKey = 'sites' | 'users' | 'account'

// Error answers (4xx except form validation's 422, and 5xx) are swapped by htmx 4; steer them into
// the toast, taking only the message element of the error page. Inheritance must be explicit in htmx 4.
// htmx matches "413", then "41x", then "4xx": 40x and 41x (413, 415) and 429 go to the toast, 422 does not.
const ERROR_STEER = "target:#toast swap:'innerHTML ignoreTitle:true' select:#error-message"

function head(title: string): Html {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="htmx-config" content="includeIndicatorCSS:false" />
    <meta name="referrer" content="same-origin" />
    <link rel="icon" href="data:," />
    <title>${title} · IGNY8 Sync</title>
    <link rel="stylesheet" href="${assetUrls['admin.css']}" />
    <script src="${assetUrls['htmx-4.0.1.js']}" defer></script>
    <script src="${assetUrls['admin.js']}" defer></script>
  </head>`
}

/** A signed-in page: the CSRF token rides on <body> as an inherited hx-headers, so every htmx request carries it. */
export function layout(p: { title: string; viewer: Viewer; nav?: NavKey; body: Html }): Html {
  const link = (key: NavKey, href: string, label: string) =>
    html`<a href="${href}" class="${p.nav === key ? 'active' : ''}" ${p.nav === key ? html`aria-current="page"` : ''}>${label}</a>`
  return html`<!doctype html>
    <html lang="en">
      ${head(p.title)}
      <body
        hx-headers:inherited="${JSON.stringify({ 'X-CSRF-Token': p.viewer.csrf })}"
        hx-status:40x:inherited="${ERROR_STEER}"
        hx-status:41x:inherited="${ERROR_STEER}"
        hx-status:429:inherited="${ERROR_STEER}"
        hx-status:5xx:inherited="${ERROR_STEER}"
      >
        <header class="topbar">
          <div class="wrap topbar-inner">
            <a class="brand" href="/sites"><span class="brand-mark" aria-hidden="true">8</span> IGNY8 Sync</a>
            <nav class="mainnav" aria-label="Main">
              ${link('sites', '/sites', 'Sites')} ${p.viewer.isAdmin ? link('users', '/users', 'Users') : ''}
              ${link('account', '/account', 'Account')}
            </nav>
            <form class="logout" method="post" action="/logout">
              <input type="hidden" name="_csrf" value="${p.viewer.csrf}" />
              <span class="who" title="${p.viewer.email}">${p.viewer.email}</span>
              <button type="submit" class="btn btn-ghost btn-sm">Log out</button>
            </form>
          </div>
        </header>
        <main class="wrap main">${p.body}</main>
        <footer class="wrap site-foot"><span>IGNY8 Sync</span> · <a href="/api/v1/docs">API reference</a></footer>
        <div id="toast" class="toast" role="alert" aria-live="assertive"></div>
      </body>
    </html>`
}

/** A page for visitors without a session (setup, login) and for errors. */
export function bareLayout(p: { title: string; body: Html }): Html {
  return html`<!doctype html>
    <html lang="en">
      ${head(p.title)}
      <body class="bare">
        <main class="bare-main">
          <a class="brand brand-lg" href="/"><span class="brand-mark" aria-hidden="true">8</span> IGNY8 Sync</a>
          ${p.body}
        </main>
      </body>
    </html>`
}
