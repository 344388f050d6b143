// `npm run build`: compiles src/index.ts and everything it embeds into the single executable dist/igny8.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
mkdirSync(join(root, 'dist'), { recursive: true })
const result = Bun.spawnSync(
  [
    process.execPath,
    'build',
    '--compile',
    '--minify-syntax',
    '--sourcemap=none',
    '--no-compile-autoload-bunfig',
    '--no-compile-autoload-dotenv',
    './src/index.ts',
    '--outfile',
    './dist/igny8',
  ],
  { cwd: root, stdio: ['inherit', 'inherit', 'inherit'] },
)
if (result.exitCode !== 0) process.exit(result.exitCode ?? 1)
