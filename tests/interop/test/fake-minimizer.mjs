// A deliberately simple stand-in for Sieve's minimizer, used only to exercise the verifier: it turns the raw
// messages of a plan into the outputs a correct minimizer would write (keyed pseudonyms, consent, minors,
// quarantine, audit), and lets tests break those outputs on purpose to see each check fail.

import { createHmac } from 'node:crypto';
import { geohashEncode } from '../lib/geo.mjs';
import { isValidVin } from '../lib/identifiers.mjs';

const KEY = Buffer.from('fake-minimizer-test-key-not-a-secret');
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes) {
  let bits = 0, value = 0, out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** Keyed, purpose-scoped pseudonym: 32 lower-case base32 characters. */
export function pseudonym(scope, normalizedId) {
  return base32(createHmac('sha256', KEY).update(`${scope}\u0000${normalizedId}`).digest().subarray(0, 20));
}

function normalizePhone(raw) {
  const t = raw.trim().replace(/[ \-.()]/g, '');
  if (t.startsWith('+')) return t;
  if (t.startsWith('00')) return `+${t.slice(2)}`;
  if (/^1\d{10}$/.test(t)) return `+86${t}`;
  return null;
}

function normalizeMac(raw) {
  const hex = raw.trim().toLowerCase().replace(/[:.-]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex) || (parseInt(hex.slice(0, 2), 16) & 1) !== 0) return null;
  return hex.match(/../g).join(':');
}

/** Sieve's quarantine reason codes for the wire errors of lib/wire.mjs. */
const WIRE_REASON = { 'bad-marker': 'avro-bad-marker' };
const INVALID_ID_REASON = { VIN: 'invalid-vin-checksum', PHONE: 'invalid-phone-length', MAC: 'invalid-mac-not-unicast', DEVICE_ID: 'invalid-device-id-format' };

function normalize(type, raw) {
  switch (type) {
    case 'VIN': return raw.trim().toUpperCase();
    case 'PHONE': return normalizePhone(raw);
    case 'MAC': return normalizeMac(raw);
    default: return raw.trim().toLowerCase();
  }
}

/**
 * Minimizes raw messages.
 * @param {object} plan
 * @param {{ topic: string, partition: number, offset: string|number, key: Buffer, value: Buffer }[]} raw events
 * @param {{ value: Buffer }[]} consent consent-change messages, in order
 * @param {import('../lib/wire.mjs').SchemaRegistry} registry
 * @returns {{ topic: string, partition: number, offset: string, key: Buffer|null, value: Buffer, headers: object }[]}
 */
export function minimize(plan, raw, consent, registry) {
  const consentBySubject = new Map();
  for (const c of consent) {
    const r = registry.decode(c.value).value;
    const id = `${r.subjectType}:${normalize(r.subjectType, r.subjectId)}`;
    if (!consentBySubject.has(id)) consentBySubject.set(id, { minor: false });
    const s = consentBySubject.get(id);
    s[r.purpose] = r.granted ? 'granted' : 'withdrawn';
    s.minor ||= r.minor;
  }

  const out = [];
  const offsets = {};
  const emit = (topicKey, key, schema, value) => {
    const topic = plan.topics[topicKey];
    offsets[topic] = (offsets[topic] ?? 0) + 1;
    out.push({ topic, partition: 0, offset: String(offsets[topic] - 1), key: key == null ? null : Buffer.from(key, 'utf8'), value: registry.encode(schema, value), headers: {} });
  };

  const batches = new Map();
  for (const m of raw) {
    const bk = `${m.topic}#${m.partition}`;
    if (!batches.has(bk)) batches.set(bk, { topic: m.topic, partition: m.partition, first: Number(m.offset), last: Number(m.offset), inputs: 0, quarantined: {}, counts: {} });
    const batch = batches.get(bk);
    batch.inputs++;
    batch.first = Math.min(batch.first, Number(m.offset));
    batch.last = Math.max(batch.last, Number(m.offset));
    const count = (purpose, field) => {
      batch.counts[purpose] ??= { purpose, forwarded: 0, withheldNoConsent: 0, withheldWithdrawn: 0, withheldMinor: 0, withheldNotApplicable: 0, withheldErased: 0, heldForRelease: 0 };
      batch.counts[purpose][field]++;
    };
    const quarantine = (reasonCode) => {
      batch.quarantined[reasonCode] = (batch.quarantined[reasonCode] ?? 0) + 1;
      emit('quarantine', null, 'QuarantineRecord', {
        sourceTopic: m.topic, partition: m.partition, offset: Number(m.offset), reasonCode,
        detail: `input rejected: ${reasonCode}`, observedAt: plan.baseTime, instanceId: 'fake-1',
      });
    };

    let decoded;
    try {
      decoded = registry.decode(m.value);
    } catch (e) {
      quarantine(WIRE_REASON[e.code] ?? e.code ?? 'avro-invalid');
      continue;
    }
    const e = decoded.value;
    let type, rawId, source;
    if (decoded.schemaName === 'TelematicsEvent') {
      if (!isValidVin(e.vin.trim())) {
        quarantine('invalid-vin-checksum');
        continue;
      }
      type = 'VIN'; rawId = e.vin; source = 'TELEMATICS';
    } else {
      type = e.phoneNumber ? 'PHONE' : e.deviceId ? 'DEVICE_ID' : 'MAC';
      rawId = e.phoneNumber ?? e.deviceId ?? e.clientMac;
      source = 'WIFI';
    }
    const id = normalize(type, rawId);
    if (id == null) {
      quarantine(INVALID_ID_REASON[type]);
      continue;
    }
    const state = consentBySubject.get(`${type}:${id}`) ?? { minor: false };
    const loc = e.location;

    // Sieve's order: the minor rule, then consent, then whether the event has anything for the purpose.
    const decide = (purpose, applicable, needsConsent) => {
      if (state.minor) return count(purpose, 'withheldMinor'), false;
      if (needsConsent && state[purpose] !== 'granted') {
        return count(purpose, state[purpose] === 'withdrawn' ? 'withheldWithdrawn' : 'withheldNoConsent'), false;
      }
      if (!applicable) return count(purpose, 'withheldNotApplicable'), false;
      // Anonymized analytics goes to its release stage, which this fake does not run: held, never forwarded here.
      count(purpose, purpose === 'analytics' ? 'heldForRelease' : 'forwarded');
      return true;
    };

    if (decide('positioning', loc != null, true)) {
      const subject = pseudonym('positioning', id);
      emit('positioning', subject, 'PositioningRecord', {
        subject, keyId: 'k1/positioning/stable', source, eventTime: e.eventTime, latitude: loc.latitude,
        longitude: loc.longitude, speedKph: loc.speedKph, headingDeg: loc.headingDeg,
      });
    }
    if (decide('personalization', true, true)) {
      const subject = pseudonym('personalization', id);
      emit('personalization', subject, 'PersonalizationRecord', {
        subject, keyId: 'k1/personalization/stable', source, timeBucket: Math.floor(e.eventTime / 3_600_000) * 3_600_000,
        geohash: loc ? geohashEncode(loc.latitude, loc.longitude, 5) : null,
        odometerKm: e.status?.odometerKm != null ? Math.round(e.status.odometerKm / 100) * 100 : null,
        fuelLevelPct: null, engineOn: e.status?.engineOn ?? null, outletId: e.outletId ?? null,
        dwellSeconds: e.dwellSeconds ?? null, interests: (e.visitedDomains ?? []).length ? ['automotive'] : [],
      });
    }
    decide('analytics', loc != null, false);
  }

  let batchId = 0;
  for (const b of batches.values()) {
    emit('audit', null, 'AuditRecord', {
      instanceId: 'fake-1', batchId: batchId++, sourceTopic: b.topic, partition: b.partition, firstOffset: b.first,
      lastOffset: b.last, inputs: b.inputs, committedAt: plan.baseTime,
      purposes: ['positioning', 'personalization', 'analytics'].map((p) => b.counts[p] ?? {
        purpose: p, forwarded: 0, withheldNoConsent: 0, withheldWithdrawn: 0, withheldMinor: 0, withheldNotApplicable: 0, withheldErased: 0,
        heldForRelease: 0,
      }),
      quarantined: Object.entries(b.quarantined).map(([reasonCode, count]) => ({ reasonCode, count })),
    });
  }
  return out;
}
