// The WordPress plugin download: the zip built from the files inside this executable, for signed-in users.
import { Elysia } from 'elysia'
import type { AppContext } from '../../context'
import { pluginZip } from '../../plugin/download'
import { adminGuard } from '../guard'

export function pluginPages(ctx: AppContext) {
  return new Elysia().use(adminGuard(ctx)).get(
    '/plugin/igny8-sync.zip',
    () => {
      const zip = pluginZip()
      return new Response(new Uint8Array(zip.bytes), {
        headers: {
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename="igny8-sync-${zip.version}.zip"`,
          // Private: it sits behind the login; a new build may carry a new plugin under the same URL.
          'cache-control': 'private, no-cache',
        },
      })
    },
    { page: 'user' },
  )
}
