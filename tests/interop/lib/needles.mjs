// The raw identifiers of a plan, every spelling and canonical form of each, and their unkeyed MD5, SHA-1 and
// SHA-256 digests (hex lower, hex upper, raw bytes, base64), as byte strings to look for in output bytes.
// A hit is described by subject id, identifier kind and form only: the report never repeats the identifier.

import { createHash } from 'node:crypto';

const HASHES = ['md5', 'sha1', 'sha256'];

/** Identifier strings per subject: [{ subject, kind, text }] (duplicates removed). */
export function identifierForms(plan) {
  const out = [];
  const add = (subject, kind, texts) => {
    const seen = new Set();
    for (const t of texts) {
      for (const v of [t, t.trim(), t.toLowerCase(), t.toUpperCase()]) {
        const trimmed = v.trim();
        if (trimmed && !seen.has(trimmed)) {
          seen.add(trimmed);
          out.push({ subject, kind, text: trimmed });
        }
      }
    }
  };
  for (const v of plan.vehicles) {
    add(v.id, 'vin', [v.vin, ...v.vinSpellings]);
    add(v.id, 'imei', [v.imei]);
    if (v.driver) {
      add(v.id, 'driver-name', [v.driver.name]);
      add(v.id, 'driver-phone', phoneForms(v.driver));
      add(v.id, 'licence-number', [v.driver.licenseNumber]);
    }
  }
  for (const w of plan.visitors) {
    add(w.id, 'mac', [w.mac, ...w.macSpellings, ...macForms(w.mac)]);
    if (w.phone) add(w.id, 'phone', phoneForms(w));
    if (w.deviceId) add(w.id, 'device-id', [w.deviceId, ...w.deviceIdSpellings]);
  }
  for (const b of plan.bad) {
    if (b.vin) add(b.id, 'vin', [b.vin]);
    if (b.imei) add(b.id, 'imei', [b.imei]);
    if (b.mac) add(b.id, 'mac', [b.mac, ...macForms(b.mac)]);
    if (b.phone) add(b.id, 'phone', [b.phone]);
  }
  return out;
}

function phoneForms(p) {
  return [p.phone, p.phoneNational, `86${p.phoneNational}`, `0086${p.phoneNational}`, ...p.phoneSpellings];
}

function macForms(canonical) {
  const octets = canonical.split(':');
  const bare = octets.join('');
  return [octets.join(':'), octets.join('-'), bare, `${bare.slice(0, 4)}.${bare.slice(4, 8)}.${bare.slice(8)}`];
}

/**
 * Needles: byte strings (latin1-encoded JS strings, one char per byte) with what they reveal.
 * @returns {{ bytes: string, subject: string, kind: string, form: string }[]}
 */
export function buildNeedles(plan) {
  const needles = [];
  for (const f of identifierForms(plan)) {
    const utf8 = Buffer.from(f.text, 'utf8');
    needles.push({ bytes: utf8.toString('latin1'), subject: f.subject, kind: f.kind, form: 'raw' });
    for (const h of HASHES) {
      const digest = createHash(h).update(utf8).digest();
      needles.push({ bytes: digest.toString('latin1'), subject: f.subject, kind: f.kind, form: `${h}-bytes` });
      needles.push({ bytes: digest.toString('hex'), subject: f.subject, kind: f.kind, form: `${h}-hex-lower` });
      needles.push({ bytes: digest.toString('hex').toUpperCase(), subject: f.subject, kind: f.kind, form: `${h}-hex-upper` });
      needles.push({ bytes: digest.toString('base64'), subject: f.subject, kind: f.kind, form: `${h}-base64` });
    }
  }
  return needles;
}

const PREFIX = 4;

/** Finds needles in byte buffers; all needles are at least PREFIX bytes. */
export class NeedleIndex {
  constructor(needles) {
    /** @type {Map<string, typeof needles>} */
    this.byPrefix = new Map();
    this.count = needles.length;
    for (const n of needles) {
      if (n.bytes.length < PREFIX) throw new Error(`a ${n.kind} form of ${n.subject} is shorter than ${PREFIX} bytes`);
      const p = n.bytes.slice(0, PREFIX);
      let list = this.byPrefix.get(p);
      if (!list) this.byPrefix.set(p, (list = []));
      list.push(n);
    }
  }

  /**
   * Every needle found in buf.
   * @param {Uint8Array|string|null|undefined} buf
   */
  find(buf) {
    if (buf == null) return [];
    const s = typeof buf === 'string' ? Buffer.from(buf, 'utf8').toString('latin1') : Buffer.from(buf).toString('latin1');
    const hits = [];
    for (let i = 0; i + PREFIX <= s.length; i++) {
      const list = this.byPrefix.get(s.substr(i, PREFIX));
      if (!list) continue;
      for (const n of list) {
        if (s.startsWith(n.bytes, i)) hits.push({ needle: n, at: i });
      }
    }
    return hits;
  }
}
