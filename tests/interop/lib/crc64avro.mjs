// CRC-64-AVRO (Rabin) fingerprints, as defined in the Avro specification ("Schema Fingerprints"): the
// reflected CRC with the polynomial whose table is built below, starting from EMPTY and with no final xor.
// The fingerprint is a uint64, kept here as a BigInt because JS numbers hold only 53 bits.

/** The fingerprint of the empty byte sequence; also the polynomial the table is built from. */
export const EMPTY = 0xc15d213aa4d7a795n;

const MASK64 = 0xffffffffffffffffn;

/** FP_TABLE from the specification: for each byte value, eight reflected shift-and-xor steps. */
const TABLE = (() => {
  const table = new Array(256);
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) {
      // (fp >>> 1) ^ (EMPTY & -(fp & 1)): xor the polynomial in when the bit shifted out is set.
      fp = (fp >> 1n) ^ ((fp & 1n) === 1n ? EMPTY : 0n);
    }
    table[i] = fp;
  }
  return table;
})();

/**
 * CRC-64-AVRO of bytes.
 * @param {Uint8Array} bytes
 * @returns {bigint} unsigned 64-bit fingerprint
 */
export function crc64Avro(bytes) {
  let fp = EMPTY;
  for (let i = 0; i < bytes.length; i++) {
    fp = ((fp >> 8n) ^ TABLE[Number((fp ^ BigInt(bytes[i])) & 0xffn)]) & MASK64;
  }
  return fp;
}

/** The fingerprint as 16 upper-case hex digits of the uint64 (the spelling Sieve's docs and C# constants use). */
export function fingerprintHex(fp) {
  return fp.toString(16).toUpperCase().padStart(16, '0');
}
