// A minimal zip writer (deflate, CRC-32 from node:zlib, no dependency): enough for WordPress's "Upload Plugin",
// which takes a zip with one top folder. Entries are dated 2024-01-01 so the same files give the same bytes.
import { crc32, deflateRawSync } from 'node:zlib'

export type ZipEntry = { name: string; data: Uint8Array }

// MS-DOS date and time of 2024-01-01 00:00.
const DOS_TIME = 0
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1

/** Packs the entries, in the order given, into one zip archive. */
export function zipEntries(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const packed = deflateRawSync(entry.data, { level: 9 })
    const sizes = { crc: crc32(entry.data), packed: packed.length, plain: entry.data.length }
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    writeCommon(local, 4, name.length, sizes)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4) // made by: Unix, zip 2.0
    writeCommon(central, 6, name.length, sizes)
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38) // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, packed)
    centrals.push(central, name)
    offset += local.length + name.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

/** The fields the local header and the central directory share, from "version needed" to the name length. */
function writeCommon(b: Buffer, at: number, nameLength: number, s: { crc: number; packed: number; plain: number }): void {
  b.writeUInt16LE(20, at) // version needed: 2.0 (deflate)
  b.writeUInt16LE(0x0800, at + 2) // names are UTF-8
  b.writeUInt16LE(8, at + 4) // deflate
  b.writeUInt16LE(DOS_TIME, at + 6)
  b.writeUInt16LE(DOS_DATE, at + 8)
  b.writeUInt32LE(s.crc, at + 10)
  b.writeUInt32LE(s.packed, at + 14)
  b.writeUInt32LE(s.plain, at + 18)
  b.writeUInt16LE(nameLength, at + 22)
}
