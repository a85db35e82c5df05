// Sieve's wire format for every message value: Avro single-object encoding.
//   bytes 0-1   C3 01 (marker)
//   bytes 2-9   CRC-64-AVRO fingerprint of the writer schema's Parsing Canonical Form, little-endian uint64
//   bytes 10-   Avro binary body
// Schemas are read from the repository's schemas/*.avsc; avsc ignores their extra "classification" property and,
// because no logical-type implementation is registered, reads timestamp-millis longs as plain JS numbers
// (exact: avsc refuses any long outside +-2^53, and millisecond timestamps stay far inside it).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { canonicalJson } from './canonical.mjs';
import { crc64Avro, fingerprintHex } from './crc64avro.mjs';

export const MARKER0 = 0xc3;
export const MARKER1 = 0x01;
export const HEADER_LENGTH = 10;

/** Where the schemas live: SIEVE_SCHEMAS_DIR, else the repository's schemas/ two levels up from tests/interop. */
export const DEFAULT_SCHEMAS_DIR = process.env.SIEVE_SCHEMAS_DIR
  ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schemas');

/** A value whose first bytes are not a single-object header, or whose body does not decode. */
export class WireFormatError extends Error {
  /** @param {string} code stable machine code @param {string} message built from codes and positions only */
  constructor(code, message) {
    super(message);
    this.name = 'WireFormatError';
    this.code = code;
  }
}

/** A well-formed header whose fingerprint names no known schema. */
export class UnknownFingerprintError extends WireFormatError {
  /** @param {bigint} fingerprint */
  constructor(fingerprint) {
    super('unknown-fingerprint', `no schema has fingerprint ${fingerprintHex(fingerprint)}`);
    this.name = 'UnknownFingerprintError';
    this.fingerprint = fingerprint;
  }
}

/**
 * One schema: its name, avsc type, canonical form and fingerprint.
 * @typedef {{ name: string, fullName: string, file: string, type: import('avsc').Type, canonical: string,
 *             avscCanonical: string, fingerprint: bigint, fingerprintHex: string, header: Buffer }} SchemaEntry
 */

/** Loads every .avsc in a folder and indexes the schemas by record name and by fingerprint. */
export class SchemaRegistry {
  constructor(dir = DEFAULT_SCHEMAS_DIR) {
    /** @type {Map<string, SchemaEntry>} */
    this.byName = new Map();
    /** @type {Map<bigint, SchemaEntry>} */
    this.byFingerprint = new Map();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.avsc')).sort()) {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      // A registry per schema: several files define the same named types (GeoLocation, EventSource).
      const type = avro.Type.forSchema(schema, { registry: {}, wrapUnions: false });
      const canonical = canonicalJson(schema);
      const fingerprint = crc64Avro(Buffer.from(canonical, 'utf8'));
      const header = Buffer.alloc(HEADER_LENGTH);
      header[0] = MARKER0;
      header[1] = MARKER1;
      header.writeBigUInt64LE(fingerprint, 2);
      const entry = {
        name: schema.name,
        fullName: type.name,
        file,
        type,
        canonical,
        avscCanonical: JSON.stringify(type.getSchema({ exportAttrs: false })),
        fingerprint,
        fingerprintHex: fingerprintHex(fingerprint),
        header,
      };
      this.byName.set(entry.name, entry);
      this.byFingerprint.set(fingerprint, entry);
    }
  }

  /** @param {string} schemaName record name, e.g. TelematicsEvent */
  get(schemaName) {
    const entry = this.byName.get(schemaName);
    if (!entry) throw new Error(`unknown schema name ${schemaName}`);
    return entry;
  }

  /**
   * Encodes obj as a single-object message.
   * @param {string} schemaName
   * @param {object} obj
   * @returns {Buffer}
   */
  encode(schemaName, obj) {
    const entry = this.get(schemaName);
    const badPaths = [];
    // avsc's own error text quotes the offending value, which may be an identifier: report field paths only.
    if (!entry.type.isValid(obj, { errorHook: (path) => badPaths.push(path.join('.')) })) {
      throw new Error(`${schemaName}: invalid value at ${badPaths.join(', ') || '(root)'}`);
    }
    return Buffer.concat([entry.header, entry.type.toBuffer(obj)]);
  }

  /**
   * Reads the header of a single-object message.
   * @param {Uint8Array} message
   * @returns {bigint} fingerprint
   */
  readHeader(message) {
    if (message.length >= 2 && (message[0] !== MARKER0 || message[1] !== MARKER1)) {
      throw new WireFormatError('bad-marker', 'value does not start with the single-object marker C3 01');
    }
    if (message.length < HEADER_LENGTH) {
      throw new WireFormatError('truncated-header', `value is ${message.length} bytes, shorter than the 10-byte header`);
    }
    return Buffer.from(message.buffer, message.byteOffset, message.length).readBigUInt64LE(2);
  }

  /**
   * Decodes a single-object message, choosing the schema by its fingerprint.
   * @param {Uint8Array} message
   * @returns {{ schemaName: string, value: any }}
   * @throws {UnknownFingerprintError} the fingerprint names no loaded schema
   * @throws {WireFormatError} bad marker, short header, truncated body or trailing bytes
   */
  decode(message) {
    const fingerprint = this.readHeader(message);
    const entry = this.byFingerprint.get(fingerprint);
    if (!entry) throw new UnknownFingerprintError(fingerprint);
    const body = Buffer.from(message.buffer, message.byteOffset + HEADER_LENGTH, message.length - HEADER_LENGTH);
    try {
      return { schemaName: entry.name, value: entry.type.fromBuffer(body) };
    } catch (e) {
      const what = /truncated/.test(e.message) ? 'avro-truncated' : /trailing/.test(e.message) ? 'avro-trailing-bytes' : 'avro-invalid';
      throw new WireFormatError(what, `${entry.name}: body does not decode (${what})`);
    }
  }
}

let defaultRegistry;

/** The registry over DEFAULT_SCHEMAS_DIR, loaded on first use. */
export function registry() {
  defaultRegistry ??= new SchemaRegistry();
  return defaultRegistry;
}

/** encode(schemaName, obj) -> Buffer with the default registry. */
export function encode(schemaName, obj) {
  return registry().encode(schemaName, obj);
}

/** decode(buffer) -> { schemaName, value } with the default registry. */
export function decode(buffer) {
  return registry().decode(buffer);
}

/** The expected fingerprints (uint64, upper-case hex), pinned independently of the schema files. */
export const EXPECTED_FINGERPRINTS = Object.freeze({
  TelematicsEvent: '5155F261CE0463C8',
  WifiEvent: '8DA8FB09AA81463F',
  ConsentChange: '14460DA668753E70',
  PositioningRecord: 'DDA7A3AF9D5B80D8',
  PersonalizationRecord: '22B45352E1AEF52A',
  AnalyticsRecord: 'F22D4F0A502E7258',
  AuditRecord: 'EF7257B15D2869CE',
  ReleaseCandidate: '569A50DB97FFC92F',
  QuarantineRecord: 'F121810E9F294B73',
  ErasureRequest: 'BCECBF6564B1F0C3',
  ErasureNotice: 'BD9DD7276C20E543',
  ErasureReceipt: '7C9C708B4AC4DBF3',
});
