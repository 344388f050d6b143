// /api/v1/openapi.json generated from the routes' zod schemas by @elysiajs/openapi, and a docs page
// whose Swagger UI assets are embedded in the executable (no CDN). They are embedded as files, read when asked for:
// as text imports their 1.9 MB was made into strings at every start.
import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import { z } from 'zod'
import swaggerBundlePath from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import swaggerCssPath from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' }
import { securityHeaders } from '../http/core'
import { VERSION } from '../version'

const DOCS_INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true })
})
`

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>IGNY8 Sync API</title><link rel="stylesheet" href="/api/v1/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/v1/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/assets/init.js"></script></body></html>`

const asset = (body: string | Blob, type: string) => () =>
  new Response(body, { headers: { 'content-type': type, 'cache-control': `public, max-age=86400` } })

export function openapiRoutes() {
  return new Elysia()
    .use(
      openapi({
        path: '/api/v1/docs',
        specPath: '/api/v1/openapi.json',
        provider: null,
        // The admin pages are HTML, not part of the API contract.
        exclude: { paths: [/^(?!\/api\/v1\/)/] },
        mapJsonSchema: { zod: (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
        documentation: {
          info: {
            title: 'IGNY8 Sync API',
            version: VERSION,
            description: 'The wire contract between the IGNY8 WordPress plugin and this backend.',
          },
          components: {
            securitySchemes: {
              bearer: {
                type: 'http',
                scheme: 'bearer',
                description: 'A JWT access token from /auth/login/, or a site API key (igny8_sk_…).',
              },
            },
          },
          security: [{ bearer: [] }],
        },
      }),
    )
    .get(
      '/api/v1/docs',
      () =>
        new Response(DOCS_PAGE, {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            // Swagger UI sets styles from script; only this page relaxes style-src for it.
            'content-security-policy': securityHeaders['content-security-policy']!.replace(
              "style-src 'self'",
              "style-src 'self' 'unsafe-inline'",
            ),
          },
        }),
      { detail: { hide: true } },
    )
    .get('/api/v1/docs/assets/swagger-ui-bundle.js', asset(Bun.file(swaggerBundlePath), 'text/javascript; charset=utf-8'), {
      detail: { hide: true },
    })
    .get('/api/v1/docs/assets/swagger-ui.css', asset(Bun.file(swaggerCssPath), 'text/css; charset=utf-8'), { detail: { hide: true } })
    .get('/api/v1/docs/assets/init.js', asset(DOCS_INIT, 'text/javascript; charset=utf-8'), { detail: { hide: true } })
}
