// Offline checks of the wire format, fingerprints and plan generator; run by `sieve-client.mjs selftest`.

import { deepStrictEqual, strictEqual, throws } from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc64Avro } from './crc64avro.mjs';
import { isValidLuhn, isValidVin, vinCheckDigit } from './identifiers.mjs';
import { buildNeedles, NeedleIndex } from './needles.mjs';
import { consentChanges, expectedConsentState, expectedOutcomes, generateEvents, makePlan, UNKNOWN_FINGERPRINT } from './plan.mjs';
import { EXPECTED_FINGERPRINTS, UnknownFingerprintError, WireFormatError } from './wire.mjs';

/** Avro's own test vectors (share/test/data/schema-tests.txt): fingerprints of the primitive schemas, as signed longs. */
const PRIMITIVE_VECTORS = [
  ['"null"', 7195948357588979594n], ['"boolean"', -6970731678124411036n], ['"int"', 8247732601305521295n],
  ['"long"', -3434872931120570953n], ['"float"', 5583340709985441680n], ['"double"', -8181574048448539266n],
  ['"bytes"', 5746618253357095269n], ['"string"', -8142146995180207161n],
];

const T = 1764028800123;
/** avsc's largest exactly-handled long (its isSafeLong bound). */
const AVSC_MAX_LONG = 9007199254740990;
const P = 'abcdefghijklmnopqrstuvwxyz234567';

/** One value per schema, using every optional branch somewhere. */
export const SAMPLES = {
  TelematicsEvent: {
    eventId: 'tm-1', vin: 'LSV2A8F21N0000001', deviceId: '490154203237518', eventTime: T,
    location: { latitude: 31.230416, longitude: 121.473701, speedKph: 42.5, headingDeg: 90, altitudeM: null },
    status: { odometerKm: 12345.6, fuelLevelPct: 55.5, batteryVoltage: null, engineOn: true, dtcCodes: ['P0301', 'U0100'] },
    driver: { name: '王伟', phoneNumber: '+8613800138000', licenseNumber: null },
  },
  WifiEvent: {
    eventId: 'wf-1', gatewayId: 'gw-1', outletId: 'outlet-1', eventTime: T, clientMac: '00:1a:2b:3c:4d:5e',
    phoneNumber: null, deviceId: 'app-1234', location: null, rssi: -61, visitedDomains: ['example.cn'], dwellSeconds: 600,
  },
  ConsentChange: {
    subjectType: 'DEVICE_ID', subjectId: 'app-1234', purpose: 'positioning', granted: true, effectiveTime: T,
    policyVersion: '2025-11', minor: false,
  },
  PositioningRecord: {
    subject: P, keyId: 'k1/positioning/stable', source: 'WIFI', eventTime: T, latitude: -33.5, longitude: 151.25,
    speedKph: null, headingDeg: 270,
  },
  PersonalizationRecord: {
    subject: P, keyId: 'k1/personalization/stable', source: 'TELEMATICS', timeBucket: T - 123, geohash: 'wtw3s',
    odometerKm: 12300, fuelLevelPct: null, engineOn: false, outletId: null, dwellSeconds: 300, interests: ['auto', 'travel'],
  },
  AnalyticsRecord: {
    subject: P, keyId: 'k1/analytics/2026-11-25', source: 'TELEMATICS', timeBucket: T - 123, geohash: null,
    speedKph: 40, odometerKm: null, fuelLevelPct: 50, batteryVoltage: 12.5, engineOn: null, outletId: 'outlet-1', dwellSeconds: null, cellVehicles: 42,
  },
  AuditRecord: {
    instanceId: 'min-1', batchId: 7, sourceTopic: 'telematics.raw.v1', partition: 3, firstOffset: 100, lastOffset: 199,
    inputs: 100, committedAt: T,
    purposes: [{
      purpose: 'positioning', forwarded: 90, withheldNoConsent: 5, withheldWithdrawn: 1, withheldMinor: 1, withheldNotApplicable: 1, withheldErased: 0,
      heldForRelease: 0, withheldParked: 0, withheldTrimmed: 0, withheldGap: 0, withheldZone: 0, withheldSparseCell: 0,
    }],
    quarantined: [{ reasonCode: 'invalid-vin', count: 2 }],
  },
  ReleaseCandidate: {
    vehicle: P, source: 'TELEMATICS', eventTime: T, latitude: 31.2, longitude: 121.5, speedKph: 40, engineOn: true, outletId: null,
    cell: 'wtw3s', timeBucket: T - 123, record: Buffer.from([0xc3, 0x01, 1, 2, 3]),
  },
  QuarantineRecord: {
    sourceTopic: 'wifi.raw.v1', partition: 0, offset: 42, reasonCode: 'avro-truncated', detail: 'WifiEvent body truncated at byte 17',
    observedAt: T, instanceId: 'min-1',
  },
  ErasureRequest: { subjectType: 'PHONE', subjectId: '+8613800138000', requestId: 'req-1', reason: 'USER_REQUEST', requestedAt: T },
  ErasureNotice: { purpose: 'analytics', subject: P, keyIds: ['k1/analytics/2026-11-25'], noticeId: '0f8c2b5d9e4a4c1b8a7f6e5d4c3b2a19' },
  ErasureReceipt: {
    requestId: 'req-1', reason: 'OTHER', status: 'COMPLETED', detail: '', requestedAt: T, markedAt: T, completedAt: T,
    purposes: [{ purpose: 'positioning', pseudonyms: 1, rowsRemoved: 12, filesRewritten: 2 }],
  },
};

/**
 * Runs the self-test.
 * @param {import('./wire.mjs').SchemaRegistry} registry
 * @returns {{ ok: boolean, results: { name: string, ok: boolean, error?: string }[] }}
 */
export function selftest(registry) {
  const results = [];
  const run = (name, fn) => {
    try {
      fn();
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, error: e.message });
    }
  };

  run('crc64-avro matches the Avro specification test vectors', () => {
    for (const [text, signed] of PRIMITIVE_VECTORS) strictEqual(BigInt.asIntN(64, crc64Avro(Buffer.from(text))), signed, text);
  });

  run('every expected schema is loaded, and no other', () => {
    deepStrictEqual([...registry.byName.keys()].sort(), Object.keys(EXPECTED_FINGERPRINTS).sort());
  });

  for (const [name, hex] of Object.entries(EXPECTED_FINGERPRINTS)) {
    run(`${name}: avsc canonical form equals the specification's Parsing Canonical Form`, () => {
      const e = registry.get(name);
      strictEqual(e.avscCanonical, e.canonical);
    });
    run(`${name}: fingerprint is ${hex}`, () => strictEqual(registry.get(name).fingerprintHex, hex));
    run(`${name}: encode/decode round trip`, () => {
      const bytes = registry.encode(name, SAMPLES[name]);
      strictEqual(bytes[0], 0xc3);
      strictEqual(bytes[1], 0x01);
      strictEqual(bytes.readBigUInt64LE(2), BigInt(`0x${hex}`));
      const d = registry.decode(bytes);
      strictEqual(d.schemaName, name);
      deepStrictEqual(plain(d.value), plain(SAMPLES[name]));
    });
  }

  run('decode: unknown fingerprint, bad marker, short header, truncated body and trailing bytes are specific errors', () => {
    const good = registry.encode('ConsentChange', SAMPLES.ConsentChange);
    const unknown = Buffer.from(good);
    unknown.writeBigUInt64LE(UNKNOWN_FINGERPRINT, 2);
    throws(() => registry.decode(unknown), (e) => e instanceof UnknownFingerprintError && e.code === 'unknown-fingerprint');
    throws(() => registry.decode(Buffer.from('{"a":1}')), (e) => e instanceof WireFormatError && e.code === 'bad-marker');
    throws(() => registry.decode(good.subarray(0, 7)), (e) => e.code === 'truncated-header');
    throws(() => registry.decode(good.subarray(0, good.length - 3)), (e) => e.code === 'avro-truncated');
    throws(() => registry.decode(Buffer.concat([good, Buffer.from([0])])), (e) => e.code === 'avro-trailing-bytes');
  });

  run('encode errors name fields, never values', () => {
    const secret = 'LSV2A8F21N0000001';
    throws(() => registry.encode('TelematicsEvent', { ...SAMPLES.TelematicsEvent, vin: 17, eventId: secret }),
      (e) => /vin/.test(e.message) && !e.message.includes(secret));
  });

  run('timestamp-millis longs are plain JS numbers, exact from -2^52 to 2^53 - 2', () => {
    // avsc refuses longs beyond +-(2^53 - 2) but decodes zig-zag varints in float arithmetic, so a negative long
    // below -2^52 (odd zig-zag value above 2^53) comes back wrong. Year 9999 is 253402300799999 ms and year 1 is
    // -62135596800000 ms: every millisecond timestamp, offset and count Sieve writes is far inside the exact range.
    for (const t of [0, T, 253402300799999, -62135596800000, AVSC_MAX_LONG, -(2 ** 52)]) {
      const v = registry.decode(registry.encode('QuarantineRecord', { ...SAMPLES.QuarantineRecord, observedAt: t })).value;
      strictEqual(typeof v.observedAt, 'number');
      strictEqual(v.observedAt, t);
    }
    throws(() => registry.encode('QuarantineRecord', { ...SAMPLES.QuarantineRecord, observedAt: AVSC_MAX_LONG + 1 }));
    // A long beyond 2^53 on the wire is refused rather than rounded.
    const entry = registry.get('QuarantineRecord');
    // observedAt 0 is the single byte 00, right before instanceId ("min-1": length byte and 5 bytes).
    const zero = Buffer.concat([entry.header, entry.type.toBuffer({ ...SAMPLES.QuarantineRecord, observedAt: 0 })]);
    const at = zero.length - 6 - 1;
    strictEqual(zero[at], 0);
    const zigzag = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]); // 2^62 - 1 as a zig-zag varint
    throws(() => registry.decode(Buffer.concat([zero.subarray(0, at), zigzag, zero.subarray(at + 1)])));
  });

  run('VIN check digit and Luhn follow the standards', () => {
    strictEqual(vinCheckDigit('1M8GDM9AXKP042788'), 'X');
    strictEqual(isValidVin('11111111111111111'), true);
    strictEqual(isValidLuhn('490154203237518'), true);
    strictEqual(isValidLuhn('490154203237519'), false);
  });

  run('make-plan produces valid identifiers and decodable events', () => {
    const plan = makePlan({ seed: 3, baseTime: T });
    for (const v of plan.vehicles) {
      strictEqual(isValidVin(v.vin), true);
      strictEqual(isValidLuhn(v.imei), true);
    }
    for (const w of plan.visitors) strictEqual(parseInt(w.mac.slice(0, 2), 16) & 0x03, 0);
    for (const b of plan.bad.filter((x) => x.source === 'telematics')) strictEqual(isValidVin(b.vin), b.kind !== 'invalid-vin-checksum');
    for (const b of plan.bad.filter((x) => x.source === 'wifi')) {
      strictEqual(parseInt(b.mac.slice(0, 2), 16) & 0x01, b.kind === 'multicast-mac' ? 1 : 0);
      if (b.kind === 'invalid-phone') strictEqual(/^1\d{11}$/.test(b.phone), true);
    }
    const events = generateEvents(plan, registry);
    for (const e of events) if (e.schemaName) deepStrictEqual(plain(registry.decode(e.value).value), e.record);
    strictEqual(events.length, plan.vehicles.length * 5 + plan.visitors.length * 5 + plan.bad.length);
    const outcomes = expectedOutcomes(plan);
    strictEqual(outcomes.inputs, events.length);
    for (const p of Object.values(outcomes.purposes)) {
      strictEqual(Object.values(p).reduce((a, b) => a + b, 0) + plan.bad.length, events.length);
    }
  });

  run('consent changes are keyed TYPE/subjectId/purpose, and compaction keeps each final decision', () => {
    const plan = makePlan({ seed: 3, baseTime: T });
    const changes = consentChanges(plan);
    const last = new Map();
    for (const c of changes) {
      registry.encode('ConsentChange', c.record);
      const key = c.key.toString('utf8');
      strictEqual(key, `${c.record.subjectType}/${c.record.subjectId}/${c.record.purpose}`);
      last.set(key, c.record);
    }
    strictEqual(changes.length, 34);
    const subjectsSeen = new Set([...last.values()].map((r) => `${r.subjectType}/${r.subjectId}`));
    const state = expectedConsentState(plan);
    strictEqual(subjectsSeen.size, state.subjects);
    strictEqual([...last.values()].filter((r) => r.granted).length, state.granted);
    strictEqual([...last.values()].filter((r) => !r.granted).length, state.withdrawn);
    strictEqual(changes[0].key.toString('utf8').startsWith('VIN/'), true);
  });

  run('the leak search finds identifiers and their digests inside bytes', () => {
    const plan = makePlan({ seed: 3, baseTime: T });
    const index = new NeedleIndex(buildNeedles(plan));
    const vin = plan.vehicles[1].vin;
    strictEqual(index.find(Buffer.from(`xx${vin.toLowerCase()}yy`)).length > 0, true);
    const e164 = plan.visitors[0].phone;
    const sha = createHash('sha256').update(e164, 'utf8').digest();
    strictEqual(index.find(Buffer.concat([Buffer.from([0, 1]), sha])).some((h) => h.needle.form === 'sha256-bytes'), true);
    strictEqual(index.find(Buffer.from('nothing to see here')).length, 0);
  });

  return { ok: results.every((r) => r.ok), results };
}

/** avsc decodes records as instances of generated classes; compare as plain data. */
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}
