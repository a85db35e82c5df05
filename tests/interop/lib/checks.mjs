// The verifier's checks over the messages read from Sieve's output topics. Pure: no Kafka here, so tests can feed
// it hand-made outputs (including leaking and inconsistent ones) and see each check fail.
//
// Report shape: { ok, expectInputs, inputsSeen, timedOut, topics: { name: count }, totals, checks: [{ name, ok,
// summary, failures: [...] }] }. Failures name topics, partitions, offsets, subject ids of the plan (v000, w003),
// identifier kinds and forms, never an identifier.

import { CellIndex } from './geo.mjs';
import { buildNeedles, NeedleIndex } from './needles.mjs';
import { ALL_PURPOSES, expectedOutcomes, locatedEvents, mayReceive, subjects as planSubjects } from './plan.mjs';
import { WireFormatError } from './wire.mjs';

/** Purposes with an output topic of minimized records. */
export const PURPOSES = ALL_PURPOSES;

const SCHEMA_OF_TOPIC_KEY = Object.freeze({
  positioning: 'PositioningRecord',
  personalization: 'PersonalizationRecord',
  analytics: 'AnalyticsRecord',
  audit: 'AuditRecord',
  quarantine: 'QuarantineRecord',
});

/** Output topic names of a plan, in the order the verifier subscribes to them. */
export function outputTopics(plan) {
  return Object.keys(SCHEMA_OF_TOPIC_KEY).map((k) => plan.topics[k]);
}

const PSEUDONYM = /^[a-z2-7]{32}$/;
const MAX_FAILURES_LISTED = 25;

class Check {
  constructor(name) {
    this.name = name;
    this.failures = [];
    this.failureCount = 0;
    this.summary = {};
  }

  fail(failure) {
    this.failureCount++;
    if (this.failures.length < MAX_FAILURES_LISTED) this.failures.push(failure);
  }

  toJSON() {
    return {
      name: this.name,
      ok: this.failureCount === 0,
      failureCount: this.failureCount,
      summary: this.summary,
      failures: this.failures,
    };
  }
}

const asNumber = (v) => (typeof v === 'bigint' ? Number(v) : Number(v ?? 0));

/**
 * Runs every check.
 * @param {object} plan
 * @param {{ topic: string, partition: number, offset: string, key: Buffer|null, value: Buffer|null,
 *           headers?: Record<string, Buffer|string|(Buffer|string)[]> }[]} messages
 * @param {{ registry: import('./wire.mjs').SchemaRegistry, expectInputs: number, timedOut?: boolean }} options
 */
export function runChecks(plan, messages, options) {
  const { registry, expectInputs } = options;
  const topicKey = Object.fromEntries(Object.keys(SCHEMA_OF_TOPIC_KEY).map((k) => [plan.topics[k], k]));
  const all = planSubjects(plan);
  const cells = new CellIndex(plan, all);
  const byPurpose = { positioning: [], personalization: [], analytics: [] };
  const audits = [];
  const quarantines = [];
  const topics = Object.fromEntries(outputTopics(plan).map((t) => [t, 0]));

  // ---- decode ----
  const decodeCheck = new Check('decode');
  for (const m of messages) {
    const k = topicKey[m.topic];
    if (!k) continue;
    topics[m.topic]++;
    const at = { topic: m.topic, partition: m.partition, offset: String(m.offset) };
    if (m.value == null) {
      decodeCheck.fail({ ...at, code: 'null-value' });
      continue;
    }
    let decoded;
    try {
      decoded = registry.decode(m.value);
    } catch (e) {
      decodeCheck.fail({ ...at, code: e instanceof WireFormatError ? e.code : 'decode-error' });
      continue;
    }
    if (decoded.schemaName !== SCHEMA_OF_TOPIC_KEY[k]) {
      decodeCheck.fail({ ...at, code: 'wrong-schema', schema: decoded.schemaName });
      continue;
    }
    const entry = { at, key: m.key, value: decoded.value };
    if (k === 'audit') audits.push(entry);
    else if (k === 'quarantine') quarantines.push(entry);
    else byPurpose[k].push(entry);
  }
  decodeCheck.summary = { messages: messages.length };

  // ---- a) no raw identifier or unkeyed hash of one ----
  const leakCheck = new Check('no-identifiers');
  const needles = buildNeedles(plan);
  const index = new NeedleIndex(needles);
  const domainCheck = new Check('no-browsing-domains');
  const domains = [...new Set(plan.visitors.flatMap((w) => w.domains))];
  const domainIndex = new NeedleIndex(domains.map((d) => ({ bytes: d, subject: '-', kind: 'visited-domain', form: 'raw' })));
  let scannedBytes = 0;
  for (const m of messages) {
    if (!topicKey[m.topic]) continue;
    const at = { topic: m.topic, partition: m.partition, offset: String(m.offset) };
    const parts = [['key', m.key], ['value', m.value]];
    for (const [name, v] of Object.entries(m.headers ?? {})) {
      parts.push(['header-name', name]);
      for (const hv of Array.isArray(v) ? v : [v]) parts.push(['header-value', hv]);
    }
    for (const [where, bytes] of parts) {
      if (bytes == null) continue;
      scannedBytes += bytes.length;
      for (const hit of index.find(bytes)) {
        leakCheck.fail({ ...at, where, subject: hit.needle.subject, identifier: hit.needle.kind, form: hit.needle.form, position: hit.at });
      }
      for (const hit of domainIndex.find(bytes)) {
        domainCheck.fail({ ...at, where, position: hit.at });
      }
    }
  }
  leakCheck.summary = { needles: index.count, scannedBytes };
  domainCheck.summary = { domains: domains.length };

  // ---- attribution by marker cell ----
  const attribution = {};
  for (const p of PURPOSES) {
    const stats = { attributed: 0, ambiguous: 0, unattributed: 0 };
    for (const r of byPurpose[p]) {
      if (p === 'positioning') {
        r.subject = cells.atPoint(r.value.latitude, r.value.longitude);
      } else if (r.value.geohash != null) {
        const a = cells.inGeohash(r.value.geohash);
        r.subject = a.subject ?? null;
        if (a.ambiguous) r.ambiguous = true;
      } else {
        r.subject = null;
      }
      if (r.subject) stats.attributed++;
      else if (r.ambiguous) stats.ambiguous++;
      else stats.unattributed++;
    }
    attribution[p] = stats;
  }

  // ---- b) consent: records only for subjects that may receive the purpose ----
  const consentCheck = new Check('consent');
  for (const p of PURPOSES) {
    for (const r of byPurpose[p]) {
      const s = r.subject;
      if (!s) {
        // A precise position outside every planned cell is not data of this plan, or was moved.
        if (p === 'positioning') consentCheck.fail({ ...r.at, code: 'positioning-record-outside-planned-cells' });
        continue;
      }
      if (s.kind === 'bad') {
        consentCheck.fail({ ...r.at, code: 'quarantine-expected', subject: s.id });
      } else if (!mayReceive(s, p)) {
        consentCheck.fail({ ...r.at, code: s.minor ? 'minor-forwarded' : `consent-${s.consent[p]}-forwarded`, subject: s.id });
      }
    }
  }
  consentCheck.summary = {
    method: 'records attributed to subjects by marker grid cell: latitude/longitude for positioning, geohash box for personalization and analytics',
    attribution,
  };

  // ---- c) one pseudonym per subject within a purpose, different subjects and purposes never share one ----
  const pseudonymCheck = new Check('pseudonyms');
  const sets = {};
  const perSubjectCounts = {};
  for (const p of PURPOSES) {
    sets[p] = new Set();
    const bySubject = new Map();
    const byPseudonym = new Map();
    for (const r of byPurpose[p]) {
      const subj = r.value.subject;
      sets[p].add(subj);
      if (!PSEUDONYM.test(subj)) pseudonymCheck.fail({ ...r.at, code: 'pseudonym-format' });
      if (r.key == null || Buffer.compare(Buffer.from(r.key), Buffer.from(subj, 'utf8')) !== 0) {
        pseudonymCheck.fail({ ...r.at, code: 'key-is-not-the-pseudonym' });
      }
      if (!r.subject) continue;
      // Analytics pseudonyms are random per trip segment: a subject has many, so only sharing is checked there.
      const group = p === 'analytics' ? `${r.subject.id}@${r.value.subject}` : r.subject.id;
      if (!bySubject.has(group)) bySubject.set(group, new Set());
      bySubject.get(group).add(subj);
      if (!byPseudonym.has(subj)) byPseudonym.set(subj, new Set());
      byPseudonym.get(subj).add(r.subject.id);
    }
    for (const [group, ps] of bySubject) {
      if (ps.size > 1) pseudonymCheck.fail({ purpose: p, code: 'subject-has-several-pseudonyms', subject: group, pseudonyms: ps.size });
    }
    for (const [, ss] of byPseudonym) {
      if (ss.size > 1) pseudonymCheck.fail({ purpose: p, code: 'pseudonym-shared-by-subjects', subjects: [...ss].sort() });
    }
    perSubjectCounts[p] = { subjects: bySubject.size, pseudonyms: sets[p].size };
  }
  for (let i = 0; i < PURPOSES.length; i++) {
    for (let j = i + 1; j < PURPOSES.length; j++) {
      let shared = 0;
      for (const s of sets[PURPOSES[i]]) if (sets[PURPOSES[j]].has(s)) shared++;
      if (shared) pseudonymCheck.fail({ code: 'pseudonym-shared-across-purposes', purposes: [PURPOSES[i], PURPOSES[j]], count: shared });
    }
  }
  pseudonymCheck.summary = perSubjectCounts;

  // ---- d) audit arithmetic ----
  const auditCheck = new Check('audit');
  const totals = {
    inputs: 0,
    quarantined: 0,
    purposes: Object.fromEntries(PURPOSES.map((p) => [p, { forwarded: 0, withheldNoConsent: 0, withheldWithdrawn: 0, withheldMinor: 0, withheldNotApplicable: 0, withheldErased: 0, heldForRelease: 0 }])),
    inputsBySourceTopic: {},
    // What release stages decided of the held records (their audit records' source topic is a `.pending` topic).
    release: Object.fromEntries(PURPOSES.map((p) => [p, { inputs: 0, forwarded: 0, withheld: 0 }])),
  };
  const RELEASE_WITHHELD = ['withheldParked', 'withheldTrimmed', 'withheldGap', 'withheldZone', 'withheldSparseCell'];
  const ranges = new Map();
  for (const a of audits) {
    const v = a.value;
    const inputs = asNumber(v.inputs);
    const quarantined = v.quarantined.reduce((s, q) => s + asNumber(q.count), 0);
    const release = String(v.sourceTopic).includes('.pending');
    if (release) {
      // A pending topic is written in transactions, whose markers take offsets: only the sums are checked.
      for (const pc of v.purposes) {
        const withheld = RELEASE_WITHHELD.reduce((s, f) => s + asNumber(pc[f] ?? 0), 0);
        const sum = asNumber(pc.forwarded) + withheld + quarantined;
        if (sum !== inputs) auditCheck.fail({ ...a.at, code: 'release-counts-do-not-add-up', purpose: pc.purpose, inputs, sum });
        const r = totals.release[pc.purpose];
        if (r) {
          r.inputs += inputs;
          r.forwarded += asNumber(pc.forwarded);
          r.withheld += withheld;
        }
      }
      continue;
    }
    totals.inputs += inputs;
    totals.quarantined += quarantined;
    totals.inputsBySourceTopic[v.sourceTopic] = (totals.inputsBySourceTopic[v.sourceTopic] ?? 0) + inputs;
    const first = asNumber(v.firstOffset);
    const last = asNumber(v.lastOffset);
    if (last < first || inputs > last - first + 1) auditCheck.fail({ ...a.at, code: 'offset-range-too-small-for-inputs' });
    const rk = `${v.sourceTopic}#${v.partition}`;
    if (!ranges.has(rk)) ranges.set(rk, []);
    ranges.get(rk).push({ first, last, at: a.at });
    const named = new Set();
    for (const pc of v.purposes) {
      if (named.has(pc.purpose)) auditCheck.fail({ ...a.at, code: 'purpose-listed-twice', purpose: pc.purpose });
      named.add(pc.purpose);
      const sum = asNumber(pc.forwarded) + asNumber(pc.withheldNoConsent) + asNumber(pc.withheldWithdrawn)
        + asNumber(pc.withheldMinor) + asNumber(pc.withheldNotApplicable) + asNumber(pc.withheldErased) + asNumber(pc.withheldExpired ?? 0) + asNumber(pc.heldForRelease ?? 0)
        + RELEASE_WITHHELD.reduce((s, f) => s + asNumber(pc[f] ?? 0), 0) + quarantined;
      if (sum !== inputs) auditCheck.fail({ ...a.at, code: 'counts-do-not-add-up', purpose: pc.purpose, inputs, sum });
      const t = totals.purposes[pc.purpose];
      if (t) for (const f of Object.keys(t)) t[f] += asNumber(pc[f]);
    }
    for (const p of PURPOSES) {
      if (!named.has(p)) auditCheck.fail({ ...a.at, code: 'purpose-missing', purpose: p });
    }
  }
  for (const [rk, list] of ranges) {
    list.sort((x, y) => x.first - y.first);
    for (let i = 1; i < list.length; i++) {
      if (list[i].first <= list[i - 1].last) auditCheck.fail({ ...list[i].at, code: 'offset-ranges-overlap', source: rk });
    }
  }
  if (totals.inputs !== expectInputs) auditCheck.fail({ code: 'total-inputs', expected: expectInputs, seen: totals.inputs });
  auditCheck.summary = { records: audits.length };

  // ---- e) outputs agree with the audit and with the plan ----
  const countCheck = new Check('counts');
  for (const p of PURPOSES) {
    const records = byPurpose[p].length;
    // A purpose with a release stage gets its records from that stage, which may still be deciding: at most what it forwarded.
    const released = totals.release[p].forwarded;
    const forwarded = totals.purposes[p].forwarded;
    if (totals.purposes[p].heldForRelease > 0 ? records > released : records !== forwarded) {
      countCheck.fail({ code: 'records-differ-from-audit-forwarded', purpose: p, records, forwarded: forwarded + released });
    }
    if (totals.release[p].inputs > totals.purposes[p].heldForRelease) {
      countCheck.fail({ code: 'release-decided-more-than-held', purpose: p, decided: totals.release[p].inputs, held: totals.purposes[p].heldForRelease });
    }
  }
  if (quarantines.length !== totals.quarantined) {
    countCheck.fail({ code: 'quarantine-records-differ-from-audit', records: quarantines.length, quarantined: totals.quarantined });
  }
  if (quarantines.length !== plan.bad.length) {
    countCheck.fail({ code: 'quarantine-records-differ-from-plan', records: quarantines.length, planned: plan.bad.length });
  }
  const inputTopics = new Set([plan.topics.telematics, plan.topics.wifi]);
  for (const q of quarantines) {
    if (!inputTopics.has(q.value.sourceTopic) || !q.value.reasonCode) countCheck.fail({ ...q.at, code: 'quarantine-record-malformed' });
  }
  // Every located event of a subject that consented to positioning, and is not a minor, reaches positioning:
  // telematics fixes and Wi-Fi gateway locations alike.
  const positioningBySubject = new Map();
  for (const r of byPurpose.positioning) {
    if (r.subject) positioningBySubject.set(r.subject.id, (positioningBySubject.get(r.subject.id) ?? 0) + 1);
  }
  for (const s of all) {
    if (s.kind === 'bad') continue;
    const expected = mayReceive(s, 'positioning') ? locatedEvents(s) : 0;
    const seen = positioningBySubject.get(s.id) ?? 0;
    if (seen !== expected) countCheck.fail({ code: 'positioning-records-per-subject', subject: s.id, expected, seen });
  }
  countCheck.summary = { quarantineRecords: quarantines.length, plannedBadEvents: plan.bad.length };

  // ---- f) the audit's decisions are the ones the plan calls for ----
  const outcomeCheck = new Check('outcomes');
  const expected = expectedOutcomes(plan);
  for (const p of PURPOSES) {
    for (const [field, want] of Object.entries(expected.purposes[p])) {
      const got = totals.purposes[p][field];
      if (got !== want) outcomeCheck.fail({ code: 'audit-outcome-differs-from-plan', purpose: p, outcome: field, expected: want, seen: got });
    }
  }
  const reasonsFromAudit = {};
  for (const a of audits) {
    for (const q of a.value.quarantined) reasonsFromAudit[q.reasonCode] = (reasonsFromAudit[q.reasonCode] ?? 0) + asNumber(q.count);
  }
  const reasonsFromRecords = {};
  for (const q of quarantines) reasonsFromRecords[q.value.reasonCode] = (reasonsFromRecords[q.value.reasonCode] ?? 0) + 1;
  for (const [source, seen] of [['audit', reasonsFromAudit], ['quarantine-records', reasonsFromRecords]]) {
    for (const code of new Set([...Object.keys(expected.quarantined), ...Object.keys(seen)])) {
      const want = expected.quarantined[code] ?? 0;
      const got = seen[code] ?? 0;
      if (got !== want) outcomeCheck.fail({ code: 'quarantine-reason-differs-from-plan', source, reasonCode: code, expected: want, seen: got });
    }
  }
  outcomeCheck.summary = { expected };

  const inputsCheck = new Check('inputs-complete');
  if (options.timedOut) inputsCheck.fail({ code: 'timeout', expected: expectInputs, seen: totals.inputs });
  inputsCheck.summary = { expected: expectInputs, seen: totals.inputs };

  const checks = [inputsCheck, decodeCheck, leakCheck, domainCheck, consentCheck, pseudonymCheck, auditCheck, countCheck, outcomeCheck].map((c) => c.toJSON());
  return {
    ok: checks.every((c) => c.ok),
    expectInputs,
    inputsSeen: totals.inputs,
    timedOut: Boolean(options.timedOut),
    topics,
    totals,
    checks,
  };
}
