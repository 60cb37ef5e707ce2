/**
 * CRC-32 (ISO 3309, polynomial 0xEDB88320), the checksum zip archives and PNG chunks
 * carry. Table-driven, one byte per step; fast enough to verify a 170 MB checkpoint.
 */
let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 of `bytes`, continuing from `previous` (0 to start), as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const lookup = crcTable();
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) c = lookup[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
