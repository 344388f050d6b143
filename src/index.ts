// Entry point for `bun src/index.ts` and the compiled executable.
import { main } from './cli'

const code = await main(process.argv.slice(2))
process.exitCode = code
if (code !== 0) process.exit(code)
