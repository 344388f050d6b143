// `bun scripts/build-plugin-zip.ts [out.zip]`: packs wordpress-plugin/igny8-sync into dist/igny8-sync.zip
// (one top folder `igny8-sync/`, as WordPress's "Upload Plugin" expects). A minimal zip writer: deflate and
// CRC-32 from node:zlib, no native dependency; entries sorted and dated 2024-01-01 so builds are reproducible.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { crc32, deflateRawSync } from 'node:zlib'

const root = join(import.meta.dir, '..')
export const PLUGIN_DIR = join(root, 'wordpress-plugin', 'igny8-sync')
export const DEFAULT_OUT = join(root, 'dist', 'igny8-sync.zip')

// MS-DOS date and time of 2024-01-01 00:00 (fixed, for reproducible archives).
const DOS_TIME = 0
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1

function files(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? files(p) : [p]
    })
}

/** Writes the zip of `src` (entries under `igny8-sync/`) to `out`; answers the entry names. */
export function buildPluginZip(src = PLUGIN_DIR, out = DEFAULT_OUT): string[] {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  const names: string[] = []
  let offset = 0
  for (const file of files(src).sort()) {
    const name = Buffer.from('igny8-sync/' + relative(src, file).split('\\').join('/'), 'utf8')
    const data = readFileSync(file)
    const packed = deflateRawSync(data, { level: 9 })
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4) // made by: Unix, 2.0
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38) // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, packed)
    centrals.push(central, name)
    names.push(name.toString('utf8'))
    offset += local.length + name.length + packed.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(names.length, 8)
  end.writeUInt16LE(names.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, Buffer.concat([...locals, cd, end]))
  return names
}

if (import.meta.main) {
  const out = process.argv[2] ?? DEFAULT_OUT
  const names = buildPluginZip(PLUGIN_DIR, out)
  console.log(`${out}: ${names.length} files`)
}
