// The verifier's checks against outputs of the fake minimizer: correct outputs pass, and each kind of broken
// output fails the check meant to catch it.

import { strictEqual } from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { runChecks } from '../lib/checks.mjs';
import { geohashEncode } from '../lib/geo.mjs';
import { consentChanges, generateEvents, makePlan } from '../lib/plan.mjs';
import { selftest } from '../lib/selftest.mjs';
import { registry } from '../lib/wire.mjs';
import { minimize, pseudonym } from './fake-minimizer.mjs';

const reg = registry();
const plan = makePlan({ seed: 11, baseTime: 1764028800000 });
const events = generateEvents(plan, reg).map((e, i) => ({ ...e, partition: 0, offset: String(i) }));
const consent = consentChanges(plan).map((c) => ({ value: reg.encode('ConsentChange', c.record) }));
const N = events.length;

function outputs() {
  return minimize(plan, events, consent, reg);
}

function check(report, name) {
  return report.checks.find((c) => c.name === name);
}

function failedChecks(report) {
  return report.checks.filter((c) => !c.ok).map((c) => c.name).sort();
}

function reencode(message, schema, change) {
  const v = JSON.parse(JSON.stringify(reg.decode(message.value).value));
  change(v);
  return { ...message, value: reg.encode(schema, v) };
}

describe('selftest', () => {
  it('passes', () => {
    const r = selftest(reg);
    strictEqual(r.ok, true, JSON.stringify(r.results.filter((x) => !x.ok)));
  });
});

describe('checks', () => {
  it('pass on correct outputs', () => {
    const report = runChecks(plan, outputs(), { registry: reg, expectInputs: N });
    strictEqual(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok), null, 1));
    strictEqual(report.inputsSeen, N);
    strictEqual(check(report, 'consent').summary.attribution.positioning.unattributed, 0);
  });

  it('find a VIN spelled in lower case in a value', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'quarantine.v1');
    out[i] = reencode(out[i], 'QuarantineRecord', (v) => { v.detail = `bad ${plan.vehicles[0].vin.toLowerCase()}`; });
    const report = runChecks(plan, out, { registry: reg, expectInputs: N });
    strictEqual(failedChecks(report).join(), 'no-identifiers');
    const f = check(report, 'no-identifiers').failures[0];
    strictEqual(f.subject, 'v000');
    strictEqual(f.identifier, 'vin');
    strictEqual(JSON.stringify(report).includes(plan.vehicles[0].vin), false, 'the report repeats the VIN');
  });

  it('find an unkeyed SHA-256 of a normalized phone number in a header, and a raw MAC in a key', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'personalization.v1');
    const digest = createHash('sha256').update(plan.visitors[0].phone).digest();
    out[i] = { ...out[i], headers: { trace: digest } };
    const j = out.findIndex((m) => m.topic === 'audit.v1');
    out[j] = { ...out[j], key: Buffer.from(plan.visitors[1].mac.toUpperCase()) };
    const report = runChecks(plan, out, { registry: reg, expectInputs: N });
    const forms = check(report, 'no-identifiers').failures.map((f) => `${f.where}:${f.identifier}:${f.form}`).sort();
    strictEqual(forms.includes('header-value:phone:sha256-bytes'), true, forms.join());
    strictEqual(forms.includes('key:mac:raw'), true, forms.join());
  });

  it('find a browsing domain', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'personalization.v1');
    out[i] = reencode(out[i], 'PersonalizationRecord', (v) => { v.interests = [plan.visitors[0].domains[0]]; });
    strictEqual(failedChecks(runChecks(plan, out, { registry: reg, expectInputs: N })).join(), 'no-browsing-domains');
  });

  it('catch positioning for a vehicle without consent, and for a minor', () => {
    const unconsented = plan.vehicles.find((v) => v.consent.positioning === 'none');
    const minor = plan.vehicles.find((v) => v.minor);
    const out = outputs();
    for (const v of [unconsented, minor]) {
      const subject = pseudonym('positioning', v.vin);
      out.push({
        topic: 'positioning.v1', partition: 1, offset: '0', key: Buffer.from(subject), headers: {},
        value: reg.encode('PositioningRecord', {
          subject, keyId: 'k1/positioning/stable', source: 'TELEMATICS', eventTime: plan.baseTime,
          latitude: v.cell.lat + 0.001, longitude: v.cell.lon, speedKph: null, headingDeg: null,
        }),
      });
    }
    const report = runChecks(plan, out, { registry: reg, expectInputs: N });
    const codes = check(report, 'consent').failures.map((f) => `${f.subject}:${f.code}`).sort();
    strictEqual(codes.join(), [`${minor.id}:minor-forwarded`, `${unconsented.id}:consent-none-forwarded`].sort().join());
    strictEqual(check(report, 'counts').ok, false, 'records beyond the audit count are caught too');
  });

  it('catch personalization for a withdrawn subject, attributed by geohash', () => {
    const withdrawn = plan.vehicles.find((v) => v.consent.personalization === 'withdrawn');
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'personalization.v1');
    out[i] = reencode(out[i], 'PersonalizationRecord', (v) => { v.geohash = geohashOf(withdrawn.cell); });
    const report = runChecks(plan, out, { registry: reg, expectInputs: N });
    strictEqual(check(report, 'consent').failures.some((f) => f.subject === withdrawn.id && f.code === 'consent-withdrawn-forwarded'), true);
  });

  it('catch one vehicle with two pseudonyms, and a pseudonym shared across purposes', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'positioning.v1');
    const other = 'a'.repeat(32);
    out[i] = reencode(out[i], 'PositioningRecord', (v) => { v.subject = other; });
    out[i].key = Buffer.from(other);
    const personalization = out.find((m) => m.topic === 'personalization.v1');
    const shared = reg.decode(personalization.value).value.subject;
    const j = out.findIndex((m, k) => k !== i && m.topic === 'positioning.v1');
    out[j] = reencode(out[j], 'PositioningRecord', (v) => { v.subject = shared; });
    out[j].key = Buffer.from(shared);
    const codes = check(runChecks(plan, out, { registry: reg, expectInputs: N }), 'pseudonyms').failures.map((f) => f.code);
    strictEqual(codes.includes('subject-has-several-pseudonyms'), true, codes.join());
    strictEqual(codes.includes('pseudonym-shared-across-purposes'), true, codes.join());
  });

  it('catch a key that is not the pseudonym', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'personalization.v1');
    out[i] = { ...out[i], key: Buffer.from('something-else') };
    strictEqual(check(runChecks(plan, out, { registry: reg, expectInputs: N }), 'pseudonyms').failures[0].code, 'key-is-not-the-pseudonym');
  });

  it('catch audit counts that do not add up, and a wrong total', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'audit.v1');
    out[i] = reencode(out[i], 'AuditRecord', (v) => { v.purposes[0].withheldNoConsent += 1; });
    const report = runChecks(plan, out, { registry: reg, expectInputs: N + 1 });
    const codes = check(report, 'audit').failures.map((f) => f.code).sort();
    strictEqual(codes.join(), 'counts-do-not-add-up,total-inputs');
  });

  it('catch a lost positioning record and a lost quarantine record', () => {
    const out = outputs();
    out.splice(out.findIndex((m) => m.topic === 'positioning.v1'), 1);
    out.splice(out.findIndex((m) => m.topic === 'quarantine.v1'), 1);
    const codes = check(runChecks(plan, out, { registry: reg, expectInputs: N }), 'counts').failures.map((f) => f.code).sort();
    strictEqual(codes.join(), [
      'positioning-records-per-subject', 'quarantine-records-differ-from-audit', 'quarantine-records-differ-from-plan',
      'records-differ-from-audit-forwarded',
    ].join());
  });

  it('expect positioning from Wi-Fi events with a location, one record per located event', () => {
    const visitor = plan.visitors.find((w) => w.consent.positioning === 'granted' && !w.minor);
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'positioning.v1' && reg.decode(m.value).value.source === 'WIFI'
      && Math.abs(reg.decode(m.value).value.latitude - visitor.cell.lat) < 0.1 && Math.abs(reg.decode(m.value).value.longitude - visitor.cell.lon) < 0.1);
    strictEqual(i >= 0, true, 'the fake forwards Wi-Fi positioning');
    out.splice(i, 1);
    const failures = check(runChecks(plan, out, { registry: reg, expectInputs: N }), 'counts').failures;
    const f = failures.find((x) => x.code === 'positioning-records-per-subject');
    strictEqual(f.subject, visitor.id);
    strictEqual(f.expected, 4);
    strictEqual(f.seen, 3);
  });

  it('catch an audit whose decisions differ from the plan', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'audit.v1' && reg.decode(m.value).value.purposes[1].withheldWithdrawn > 0);
    out[i] = reencode(out[i], 'AuditRecord', (v) => { v.purposes[1].withheldWithdrawn -= 1; v.purposes[1].withheldNoConsent += 1; });
    const report = runChecks(plan, out, { registry: reg, expectInputs: N });
    strictEqual(failedChecks(report).join(), 'outcomes');
    const codes = check(report, 'outcomes').failures.map((f) => `${f.purpose}:${f.outcome}`).sort();
    strictEqual(codes.join(), 'personalization:withheldNoConsent,personalization:withheldWithdrawn');
  });

  it('catch a quarantine reason that is not the one the bad event calls for', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'quarantine.v1' && reg.decode(m.value).value.reasonCode === 'avro-bad-marker');
    out[i] = reencode(out[i], 'QuarantineRecord', (v) => { v.reasonCode = 'avro-invalid'; });
    const report = runChecks(plan, out, { registry: reg, expectInputs: N });
    strictEqual(failedChecks(report).join(), 'outcomes');
    const codes = check(report, 'outcomes').failures.map((f) => `${f.source}:${f.reasonCode}`).sort();
    strictEqual(codes.join(), 'quarantine-records:avro-bad-marker,quarantine-records:avro-invalid');
  });

  it('catch a purpose record carrying a bad event', () => {
    const bad = plan.bad.find((b) => b.source === 'wifi');
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'personalization.v1');
    out[i] = reencode(out[i], 'PersonalizationRecord', (v) => { v.geohash = geohashOf(bad.cell); });
    const failures = check(runChecks(plan, out, { registry: reg, expectInputs: N }), 'consent').failures;
    strictEqual(failures.some((f) => f.subject === bad.id && f.code === 'quarantine-expected'), true, JSON.stringify(failures));
  });

  it('catch an undecodable output and a record of the wrong schema', () => {
    const out = outputs();
    const i = out.findIndex((m) => m.topic === 'personalization.v1');
    out[i] = { ...out[i], value: out[i].value.subarray(0, 12) };
    const j = out.findIndex((m) => m.topic === 'quarantine.v1');
    out[j] = { ...out[j], topic: 'positioning.v1' };
    const codes = check(runChecks(plan, out, { registry: reg, expectInputs: N }), 'decode').failures.map((f) => f.code).sort();
    strictEqual(codes.join(), 'avro-truncated,wrong-schema');
  });

  it('report a timeout as a failed inputs-complete check', () => {
    const report = runChecks(plan, [], { registry: reg, expectInputs: N, timedOut: true });
    strictEqual(check(report, 'inputs-complete').ok, false);
    strictEqual(report.ok, false);
  });
});

function geohashOf(cell) {
  // Precision 6: a box about 0.005 degrees wide inside the cell.
  return geohashEncode(cell.lat + 0.002, cell.lon + 0.002, 6);
}
