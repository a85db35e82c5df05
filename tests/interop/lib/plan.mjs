// The plan: every subject, identifier, consent decision and event count of one interop run, in one JSON file.
// Events are not stored; they are generated from the plan deterministically (generateEvents), so the publisher
// and the verifier derive the same events, identifiers and expectations from the same file.
//
// Location markers. The verifier cannot compute pseudonyms (they are keyed), so it attributes output records to
// subjects by where they are: every subject owns one cell of a 1-degree grid over mainland China (cell centre
// latOrigin + row*spacing, lonOrigin + col*spacing) and all its events lie within +-jitterDeg of that centre.
// Cells are far apart compared with any plausible generalization (a geohash of 4+ characters, rounding to 0.01
// degrees), so a positioning record's latitude/longitude, or the box of a geohash, falls in at most one subject's
// cell.

import {
  breakVinCheckDigit, isValidLuhn, isValidVin, macCanonical, macSpellings, makeDeviceUuid, makeImei,
  makeLicenceNumber, makeMacOctets, makeMobileNational, makeName, makeVin, phoneE164, phoneSpellings, prng,
} from './identifiers.mjs';

export const PLAN_FORMAT = 'sieve-interop-plan/1';

export const TOPICS = Object.freeze({
  telematics: 'telematics.raw.v1',
  wifi: 'wifi.raw.v1',
  consent: 'consent.changes.v1',
  positioning: 'positioning.v1',
  personalization: 'personalization.v1',
  analytics: 'analytics.v1',
  audit: 'audit.v1',
  quarantine: 'quarantine.v1',
});

/** Purposes that need consent; analytics needs none (but still never carries a minor). */
export const CONSENT_PURPOSES = Object.freeze(['positioning', 'personalization']);

/** Every purpose with an output topic, in the order Sieve's default policy lists them. */
export const ALL_PURPOSES = Object.freeze(['positioning', 'personalization', 'analytics']);

/** The Avro enum symbols of sieve.common.SubjectType. */
export const SUBJECT_TYPES = Object.freeze(['VIN', 'PHONE', 'MAC', 'DEVICE_ID']);

const DAY_MS = 86_400_000;

/**
 * Consent profiles, assigned round-robin. A state is "granted", "withdrawn" (granted, then withdrawn a day later)
 * or "none" (no consent record at all). Minors have consent granted for both purposes and the minor flag set, so
 * only the minor rule can withhold their data.
 */
const VEHICLE_PROFILES = [
  { positioning: 'granted', personalization: 'granted', minor: false },
  { positioning: 'granted', personalization: 'none', minor: false },
  { positioning: 'none', personalization: 'none', minor: false },
  { positioning: 'withdrawn', personalization: 'withdrawn', minor: false },
  { positioning: 'granted', personalization: 'granted', minor: true },
  { positioning: 'none', personalization: 'granted', minor: false },
];

const VISITOR_PROFILES = [
  { positioning: 'granted', personalization: 'granted', minor: false },
  { positioning: 'none', personalization: 'none', minor: false },
  { positioning: 'withdrawn', personalization: 'granted', minor: false },
  { positioning: 'granted', personalization: 'granted', minor: true },
];

/** Identifier kinds a visitor is known by, round-robin: the Wi-Fi key is phone, else device id, else MAC. */
const VISITOR_KINDS = ['PHONE', 'DEVICE_ID', 'MAC', 'PHONE'];

const DOMAINS = ['autohome.com.cn', 'www.dongchedi.com', 'news.qq.com', 'm.taobao.com', 'www.bilibili.com',
  'map.baidu.com', 'www.ctrip.com', 'music.163.com'];

/**
 * Kinds of bad input, each with the raw topic it goes to and the quarantine reason code Sieve gives it (the codes
 * of Sieve.Contracts: AvroStatus.ToReasonCode and IdentifierNormalizer.ToReasonCode). The Wi-Fi kinds carry
 * identifiers that are not identifiers of their type: the event's subject (phone, else device id, else MAC) fails
 * normalization, so the whole event is quarantined.
 */
export const BAD_KINDS = Object.freeze({
  'invalid-vin-checksum': { source: 'telematics', reasonCode: 'invalid-vin-checksum' },
  'avro-truncated': { source: 'telematics', reasonCode: 'avro-truncated' },
  'unknown-fingerprint': { source: 'telematics', reasonCode: 'unknown-fingerprint' },
  'bad-marker': { source: 'telematics', reasonCode: 'avro-bad-marker' },
  // A 12-digit number starting with 1: neither a mainland mobile (11 digits) nor a trunk-prefixed landline.
  'invalid-phone': { source: 'wifi', reasonCode: 'invalid-phone-length' },
  // A MAC with the I/G bit set (a group address), and no phone or device id to name the subject instead.
  'multicast-mac': { source: 'wifi', reasonCode: 'invalid-mac-not-unicast' },
});
const BAD_KIND_NAMES = Object.keys(BAD_KINDS);

const TOPIC_SUFFIX = /^[A-Za-z0-9._-]{1,100}$/;

/** Fingerprint written by the unknown-fingerprint bad event; no Sieve schema has it. */
export const UNKNOWN_FINGERPRINT = 0x0123456789abcdefn;

/**
 * Makes a plan.
 * @param {{ seed?: number, vehicles?: number, visitors?: number, eventsPerSubject?: number, bad?: number,
 *           baseTime?: number, policyVersion?: string, topicSuffix?: string }} options
 *   topicSuffix: appended to every topic name as `-SUFFIX`, so that runs sharing one cluster do not share topics.
 */
export function makePlan(options = {}) {
  const seed = options.seed ?? 1;
  const vehicles = options.vehicles ?? 12;
  const visitors = options.visitors ?? 8;
  const eventsPerSubject = options.eventsPerSubject ?? 5;
  const badCount = options.bad ?? BAD_KIND_NAMES.length;
  // Events happen after consent; a recent hour keeps event times plausible to a service that checks clock skew.
  const baseTime = options.baseTime ?? Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const grid = { latOrigin: 20, lonOrigin: 80, spacingDeg: 1, jitterDeg: 0.04, columns: 40 };
  const capacity = 30 * grid.columns;
  if (vehicles + visitors > capacity) throw new Error(`at most ${capacity} subjects fit the marker grid`);
  if (eventsPerSubject < 1 || eventsPerSubject > 1000) throw new Error('events per subject must be 1..1000');
  if (options.topicSuffix !== undefined && !TOPIC_SUFFIX.test(options.topicSuffix)) {
    throw new Error('topic suffix must be 1..100 characters of [A-Za-z0-9._-]');
  }
  const topics = Object.fromEntries(Object.entries(TOPICS).map(([k, t]) => [k, options.topicSuffix ? `${t}-${options.topicSuffix}` : t]));

  const rng = prng(seed);
  const usedVins = new Set();
  let cellIndex = 0;
  const nextCell = () => {
    const k = cellIndex++;
    const row = Math.floor(k / grid.columns);
    const col = k % grid.columns;
    return { row, col, lat: grid.latOrigin + row * grid.spacingDeg, lon: grid.lonOrigin + col * grid.spacingDeg };
  };
  const uniqueVin = () => {
    for (;;) {
      const v = makeVin(rng);
      if (!usedVins.has(v)) {
        usedVins.add(v);
        return v;
      }
    }
  };

  const plan = {
    format: PLAN_FORMAT,
    seed,
    baseTime,
    consentTime: baseTime - DAY_MS,
    // The policy version of Sieve's default policy; consent records carry it as metadata.
    policyVersion: options.policyVersion ?? '2026-11-01',
    grid,
    topics,
    vehicles: [],
    visitors: [],
    bad: [],
  };

  for (let i = 0; i < vehicles; i++) {
    const profile = VEHICLE_PROFILES[i % VEHICLE_PROFILES.length];
    const vin = uniqueVin();
    const national = makeMobileNational(rng);
    const hasDriver = i % 3 !== 2;
    plan.vehicles.push({
      id: `v${String(i).padStart(3, '0')}`,
      vin,
      // The canonical form, lower case, and canonical again: one vehicle's events alternate spellings.
      vinSpellings: [vin, vin.toLowerCase(), ` ${vin} `],
      imei: makeImei(rng),
      driver: hasDriver
        ? {
          name: makeName(rng),
          phone: phoneE164(national),
          phoneNational: national,
          phoneSpellings: phoneSpellings(national),
          licenseNumber: makeLicenceNumber(rng, !profile.minor),
        }
        : null,
      consent: { positioning: profile.positioning, personalization: profile.personalization },
      minor: profile.minor,
      cell: nextCell(),
      events: eventsPerSubject,
    });
  }

  for (let i = 0; i < visitors; i++) {
    const profile = VISITOR_PROFILES[i % VISITOR_PROFILES.length];
    const kind = VISITOR_KINDS[i % VISITOR_KINDS.length];
    const octets = makeMacOctets(rng);
    const national = kind === 'PHONE' ? makeMobileNational(rng) : null;
    const deviceId = kind !== 'MAC' && (kind === 'DEVICE_ID' || i % 2 === 0) ? makeDeviceUuid(rng) : null;
    const mac = macCanonical(octets);
    const phone = national ? phoneE164(national) : null;
    const outlet = i % 2;
    plan.visitors.push({
      id: `w${String(i).padStart(3, '0')}`,
      subjectType: kind,
      subjectId: kind === 'PHONE' ? phone : kind === 'DEVICE_ID' ? deviceId : mac,
      mac,
      macSpellings: macSpellings(octets),
      phone,
      phoneNational: national,
      phoneSpellings: national ? phoneSpellings(national) : [],
      deviceId,
      deviceIdSpellings: deviceId ? [deviceId, deviceId.toUpperCase()] : [],
      outletId: `outlet-sh-${String(outlet + 1).padStart(3, '0')}`,
      gatewayId: `gw-sh-${String(outlet + 1).padStart(3, '0')}-a`,
      domains: [DOMAINS[i % DOMAINS.length], DOMAINS[(i + 3) % DOMAINS.length]],
      consent: { positioning: profile.positioning, personalization: profile.personalization },
      minor: profile.minor,
      cell: nextCell(),
      events: eventsPerSubject,
    });
  }

  for (let i = 0; i < badCount; i++) {
    const kind = BAD_KIND_NAMES[i % BAD_KIND_NAMES.length];
    const id = `b${String(i).padStart(3, '0')}`;
    if (BAD_KINDS[kind].source === 'telematics') {
      const vin = uniqueVin();
      plan.bad.push({
        id,
        kind,
        source: 'telematics',
        // The value's VIN; for invalid-vin-checksum it is the valid VIN with its check digit changed.
        vin: kind === 'invalid-vin-checksum' ? breakVinCheckDigit(vin) : vin,
        imei: makeImei(rng),
        cell: nextCell(),
      });
    } else {
      const octets = makeMacOctets(rng);
      if (kind === 'multicast-mac') octets[0] |= 0x01;
      const national = kind === 'invalid-phone' ? makeMobileNational(rng) : null;
      plan.bad.push({
        id,
        kind,
        source: 'wifi',
        mac: macCanonical(octets),
        // The national number with one digit too many, as the event spells it.
        phone: national ? `${national}${rng.int(10)}` : null,
        cell: nextCell(),
      });
    }
  }

  return plan;
}

/** Throws when a plan is not of this format or its identifiers are not valid. Returns the plan. */
export function validatePlan(plan) {
  if (plan?.format !== PLAN_FORMAT) throw new Error(`plan format must be ${PLAN_FORMAT}`);
  for (const v of plan.vehicles) {
    if (!isValidVin(v.vin)) throw new Error(`${v.id}: vin has a wrong check digit`);
    if (!isValidLuhn(v.imei) || v.imei.length !== 15) throw new Error(`${v.id}: imei is not a Luhn-valid 15-digit IMEI`);
  }
  for (const w of plan.visitors) {
    if (!w.subjectId) throw new Error(`${w.id}: no subject identifier`);
  }
  return plan;
}

/** Every subject of the plan (vehicles, then visitors, then bad-event subjects) with its kind. */
export function subjects(plan) {
  return [
    ...plan.vehicles.map((s) => ({ kind: 'vehicle', ...s })),
    ...plan.visitors.map((s) => ({ kind: 'visitor', ...s })),
    // A bad event's own kind (invalid-vin-checksum, ...) moves to badKind.
    ...plan.bad.map((s) => ({ ...s, kind: 'bad', badKind: s.kind })),
  ];
}

/**
 * True when the subject's data may go to the purpose: never for a minor or a bad event; for analytics always
 * otherwise; for a consent purpose only with consent granted.
 */
export function mayReceive(subject, purpose) {
  if (subject.kind === 'bad' || subject.minor) return false;
  return !CONSENT_PURPOSES.includes(purpose) || subject.consent?.[purpose] === 'granted';
}

/** A jitter in [-jitterDeg, +jitterDeg) that differs per event, on a 0.0001-degree step. */
function jitter(plan, subjectIndex, j, salt) {
  const steps = Math.floor(plan.grid.jitterDeg * 10_000);
  const k = (j * 7919 + subjectIndex * 104_729 + salt * 1_299_709) % (2 * steps);
  return (k - steps) / 10_000;
}

/** Whether event j of a vehicle carries a GPS fix: every fourth does not, so positioning has nothing to receive. */
export function vehicleEventHasLocation(j) {
  return j % 4 !== 3;
}

/** Whether event j of a Wi-Fi visitor carries the gateway's location: every fourth (j % 4 == 2) does not. */
export function wifiEventHasLocation(j) {
  return j % 4 !== 2;
}

/** The number of a subject's events that carry a location. */
export function locatedEvents(subject) {
  const has = subject.kind === 'visitor' ? wifiEventHasLocation : vehicleEventHasLocation;
  let n = 0;
  for (let j = 0; j < subject.events; j++) if (has(j)) n++;
  return n;
}

/**
 * What Sieve's minimizer, under its default policy, decides for the plan's events: per purpose the counts the
 * audit must add up to, and the quarantine reason codes. The rules:
 * - an event whose subject identifier, Avro or header is bad is quarantined, and counted under no purpose;
 * - a minor's events are withheld:minor for every purpose, analytics included;
 * - analytics needs no consent, and is anonymized: its located events are held for its release stage
 *   (heldForRelease), which forwards or withholds each one by its own rules; one without a location has nothing for it;
 * - a consent purpose without consent is withheld:no-consent, after a withdrawal withheld:withdrawn;
 * - with consent, an event that has nothing for the purpose is withheld:not-applicable: positioning needs a
 *   location. Personalization and analytics always have something here (vehicle status, the Wi-Fi outlet).
 * @returns {{ inputs: number, purposes: Record<string, { forwarded: number, withheldNoConsent: number,
 *   withheldWithdrawn: number, withheldMinor: number, withheldNotApplicable: number }>,
 *   quarantined: Record<string, number> }}
 */
export function expectedOutcomes(plan) {
  const zero = () => ({ forwarded: 0, withheldNoConsent: 0, withheldWithdrawn: 0, withheldMinor: 0, withheldNotApplicable: 0, heldForRelease: 0 });
  const purposes = Object.fromEntries(ALL_PURPOSES.map((p) => [p, zero()]));
  const quarantined = {};
  let inputs = 0;
  for (const s of subjects(plan)) {
    if (s.kind === 'bad') {
      const code = BAD_KINDS[s.badKind].reasonCode;
      quarantined[code] = (quarantined[code] ?? 0) + 1;
      inputs++;
      continue;
    }
    const located = locatedEvents(s);
    inputs += s.events;
    for (const p of ALL_PURPOSES) {
      const t = purposes[p];
      if (s.minor) {
        t.withheldMinor += s.events;
      } else if (CONSENT_PURPOSES.includes(p) && s.consent[p] !== 'granted') {
        if (s.consent[p] === 'withdrawn') t.withheldWithdrawn += s.events;
        else t.withheldNoConsent += s.events;
      } else if (p === 'positioning') {
        t.forwarded += located;
        t.withheldNotApplicable += s.events - located;
      } else if (p === 'analytics') {
        t.heldForRelease += located;
        t.withheldNotApplicable += s.events - located;
      } else {
        t.forwarded += s.events;
      }
    }
  }
  return { inputs, purposes, quarantined };
}

/**
 * The events of a plan, in publishing order.
 * @param {object} plan
 * @param {import('./wire.mjs').SchemaRegistry} registry
 * @returns {{ topic: string, key: Buffer, value: Buffer, subject: string, schemaName: string|null, record: object|null }[]}
 */
export function generateEvents(plan, registry) {
  const out = [];
  plan.vehicles.forEach((v, vi) => {
    for (let j = 0; j < v.events; j++) {
      const record = telematicsRecord(plan, v, vi, j);
      out.push({
        topic: plan.topics.telematics,
        key: Buffer.from(record.vin, 'utf8'),
        value: registry.encode('TelematicsEvent', record),
        subject: v.id,
        schemaName: 'TelematicsEvent',
        record,
      });
    }
  });

  plan.visitors.forEach((w, wi) => {
    for (let j = 0; j < w.events; j++) {
      const record = wifiRecord(plan, w, wi, j);
      const key = record.phoneNumber ?? record.deviceId ?? record.clientMac;
      out.push({
        topic: plan.topics.wifi,
        key: Buffer.from(key, 'utf8'),
        value: registry.encode('WifiEvent', record),
        subject: w.id,
        schemaName: 'WifiEvent',
        record,
      });
    }
  });

  plan.bad.forEach((b, bi) => {
    if (b.source === 'wifi') {
      const record = {
        eventId: `wf-${b.id}-0000`,
        gatewayId: 'gw-sh-001-a',
        outletId: 'outlet-sh-001',
        eventTime: plan.baseTime + bi * 1000,
        clientMac: b.mac,
        phoneNumber: b.phone,
        deviceId: null,
        location: { latitude: b.cell.lat, longitude: b.cell.lon, speedKph: null, headingDeg: null, altitudeM: null },
        rssi: -70,
        visitedDomains: [],
        dwellSeconds: 60,
      };
      out.push({
        topic: plan.topics.wifi,
        key: Buffer.from(record.phoneNumber ?? record.clientMac, 'utf8'),
        value: registry.encode('WifiEvent', record),
        subject: b.id,
        schemaName: 'WifiEvent',
        record,
      });
      return;
    }
    const record = {
      eventId: `tm-${b.id}-0000`,
      vin: b.vin,
      deviceId: b.imei,
      eventTime: plan.baseTime + bi * 1000,
      location: { latitude: b.cell.lat, longitude: b.cell.lon, speedKph: null, headingDeg: null, altitudeM: null },
      status: null,
      driver: null,
    };
    const body = registry.get('TelematicsEvent').type.toBuffer(record);
    const header = Buffer.from(registry.get('TelematicsEvent').header);
    let value;
    switch (b.kind) {
      case 'invalid-vin-checksum':
        value = Buffer.concat([header, body]);
        break;
      case 'avro-truncated':
        // Header, then the body cut inside the VIN string.
        value = Buffer.concat([header, body]).subarray(0, 10 + 1 + record.eventId.length + 1 + 8);
        break;
      case 'unknown-fingerprint': {
        const h = Buffer.from(header);
        h.writeBigUInt64LE(UNKNOWN_FINGERPRINT, 2);
        value = Buffer.concat([h, body]);
        break;
      }
      case 'bad-marker':
        value = Buffer.from(JSON.stringify(record), 'utf8');
        break;
      default:
        throw new Error(`${b.id}: unknown bad-event kind`);
    }
    out.push({ topic: plan.topics.telematics, key: Buffer.from(b.vin, 'utf8'), value, subject: b.id, schemaName: null, record: null });
  });

  return out;
}

function telematicsRecord(plan, v, vi, j) {
  const located = vehicleEventHasLocation(j);
  const driver = v.driver
    ? {
      name: v.driver.name,
      phoneNumber: v.driver.phoneSpellings[j % v.driver.phoneSpellings.length],
      licenseNumber: v.driver.licenseNumber,
    }
    : null;
  return {
    eventId: `tm-${v.id}-${String(j).padStart(4, '0')}`,
    vin: v.vinSpellings[j % v.vinSpellings.length],
    deviceId: v.imei,
    eventTime: plan.baseTime + j * 60_000 + vi * 997,
    location: located
      ? {
        latitude: round6(v.cell.lat + jitter(plan, vi, j, 1)),
        longitude: round6(v.cell.lon + jitter(plan, vi, j, 2)),
        // Values exactly representable as float32, so they survive the round trip unchanged.
        speedKph: 30 + (j % 8) * 2.5,
        headingDeg: (j * 45) % 360,
        altitudeM: 12.5,
      }
      : null,
    status: {
      odometerKm: 12_000 + vi * 1000 + j * 1.5,
      fuelLevelPct: 55.5 - j,
      batteryVoltage: 12.5,
      engineOn: j % 2 === 0,
      dtcCodes: j === 1 ? ['P0301'] : [],
    },
    driver,
  };
}

function wifiRecord(plan, w, wi, j) {
  return {
    eventId: `wf-${w.id}-${String(j).padStart(4, '0')}`,
    gatewayId: w.gatewayId,
    outletId: w.outletId,
    eventTime: plan.baseTime + j * 120_000 + wi * 991,
    clientMac: w.macSpellings[j % w.macSpellings.length],
    phoneNumber: w.phoneSpellings.length ? w.phoneSpellings[j % w.phoneSpellings.length] : null,
    deviceId: w.deviceIdSpellings.length ? w.deviceIdSpellings[j % w.deviceIdSpellings.length] : null,
    location: wifiEventHasLocation(j)
      ? {
        latitude: round6(w.cell.lat + jitter(plan, 1000 + wi, j, 1)),
        longitude: round6(w.cell.lon + jitter(plan, 1000 + wi, j, 2)),
        speedKph: null,
        headingDeg: null,
        altitudeM: null,
      }
      : null,
    rssi: -60 - j,
    visitedDomains: w.domains,
    dwellSeconds: 300 + j * 60,
  };
}

function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The message key of a consent change on consent.changes.v1: `TYPE/subjectId/purpose` (TYPE is the Avro enum
 * symbol, e.g. `VIN/LSV.../positioning`), as Sieve's ConsentChangeData.MessageKey() makes it. The topic is
 * compacted, so the key must keep one decision per subject and purpose: a key of the subject alone would let a
 * later decision for one purpose erase the earlier decision for another.
 */
export function consentMessageKey(record) {
  if (!SUBJECT_TYPES.includes(record.subjectType)) throw new Error('consent change: subjectType is not a SubjectType symbol');
  return Buffer.from(`${record.subjectType}/${record.subjectId}/${record.purpose}`, 'utf8');
}

/**
 * The consent decisions of a plan, in publishing order: for "granted" one grant a day before the events; for
 * "withdrawn" a grant two days before and a withdrawal one day before; for "none" nothing. A withdrawal has the
 * same key as its grant, so compaction keeps the withdrawal.
 * @returns {{ key: Buffer, record: object, subject: string }[]}
 */
export function consentChanges(plan) {
  const out = [];
  const all = [
    ...plan.vehicles.map((v) => ({ id: v.id, subjectType: 'VIN', subjectId: v.vin, consent: v.consent, minor: v.minor })),
    ...plan.visitors.map((w) => ({ id: w.id, subjectType: w.subjectType, subjectId: w.subjectId, consent: w.consent, minor: w.minor })),
  ];
  const push = (s, record) => out.push({ subject: s.id, key: consentMessageKey(record), record });
  for (const s of all) {
    for (const purpose of CONSENT_PURPOSES) {
      const state = s.consent[purpose];
      const base = { subjectType: s.subjectType, subjectId: s.subjectId, purpose, policyVersion: plan.policyVersion, minor: s.minor };
      if (state === 'granted') {
        push(s, { ...base, granted: true, effectiveTime: plan.consentTime });
      } else if (state === 'withdrawn') {
        push(s, { ...base, granted: true, effectiveTime: plan.consentTime - DAY_MS });
        push(s, { ...base, granted: false, effectiveTime: plan.consentTime });
      } else if (state !== 'none') {
        throw new Error(`${s.id}: consent state for ${purpose} must be granted, withdrawn or none`);
      }
    }
  }
  return out;
}

/**
 * What a consent store holds once every consent change of the plan is applied: subjects (one record per subject
 * with any decision), purpose decisions granted and withdrawn, and minor flags.
 */
export function expectedConsentState(plan) {
  const state = { subjects: 0, granted: 0, withdrawn: 0, minors: 0 };
  for (const s of [...plan.vehicles, ...plan.visitors]) {
    const decisions = CONSENT_PURPOSES.map((p) => s.consent[p]).filter((c) => c !== 'none');
    if (decisions.length === 0) continue;
    state.subjects++;
    state.granted += decisions.filter((c) => c === 'granted').length;
    state.withdrawn += decisions.filter((c) => c === 'withdrawn').length;
    if (s.minor) state.minors++;
  }
  return state;
}
