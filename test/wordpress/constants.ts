// Fixed paths and names shared by the harness modules: Debian's WordPress layout and our marker.
import { join } from 'node:path'

export const INSTALL_DEPS = join(import.meta.dir, 'install-deps.sh')
export const DOCROOT = '/usr/share/wordpress'
export const DEBIAN_CONTENT = '/var/lib/wordpress/wp-content'
export const ETC = '/etc/wordpress'
export const DISPATCHER = `${ETC}/config-127.0.0.1.php`
/** Written into every file the harness creates; a dispatcher without it is not ours to overwrite. */
export const MARKER = 'igny8-wordpress-test-harness'
export const ADMIN_USER = 'admin'
export const DEBUG = !!process.env.IGNY8_WP_DEBUG
