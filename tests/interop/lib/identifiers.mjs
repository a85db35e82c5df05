// Generators for valid test identifiers, their alternative spellings, and their canonical forms (the same canonical
// forms Sieve.Contracts' IdentifierNormalizer produces: VIN upper case; MAC lower-case hex with colons; phone E.164
// with +86 as the default region; IMEI bare digits; opaque device ids lower case).

/** Deterministic PRNG (mulberry32) so a seed always yields the same plan. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    digits: (n) => Array.from({ length: n }, () => Math.floor(next() * 10)).join(''),
  };
}

// ---- VIN (ISO 3779 / GB 16735) ----

const VIN_TRANSLITERATION = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9, S: 2, T: 3,
  U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
/** Letters a VIN may contain (never I, O, Q). */
const VIN_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
/** Model-year letters (never I, O, Q, U, Z). */
const VIN_YEARS = 'ABCDEFGHJKLMNPRSTVWXY123456789';
/** World manufacturer identifiers of mainland Chinese plants. */
const VIN_WMIS = ['LSV', 'LFV', 'LVS', 'LGB', 'LBV', 'LVG', 'LSG', 'LHG', 'LDC', 'LJD'];

/** The check digit (0-9 or X) of a 17-character VIN; position 9 is ignored. */
export function vinCheckDigit(vin) {
  if (vin.length !== 17) throw new Error('VIN must be 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin[i].toUpperCase();
    const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : VIN_TRANSLITERATION[c];
    if (v === undefined) throw new Error(`VIN character at index ${i} is not allowed`);
    sum += v * VIN_WEIGHTS[i];
  }
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/** True when a VIN has 17 allowed characters and a correct check digit. */
export function isValidVin(vin) {
  try {
    return vin.length === 17 && vinCheckDigit(vin) === vin[8].toUpperCase();
  } catch {
    return false;
  }
}

/** A random valid VIN of a Chinese plant (WMI, VDS, check digit, model year, plant, 6-digit serial). */
export function makeVin(rng) {
  const vds = Array.from({ length: 5 }, () => (rng.next() < 0.5 ? rng.pick(VIN_LETTERS) : String(rng.int(10)))).join('');
  const draft = `${rng.pick(VIN_WMIS)}${vds}0${rng.pick(VIN_YEARS)}${rng.pick(VIN_LETTERS)}${rng.digits(6)}`;
  return draft.slice(0, 8) + vinCheckDigit(draft) + draft.slice(9);
}

/** The same VIN with a wrong check digit. */
export function breakVinCheckDigit(vin) {
  const good = vin[8];
  const bad = good === '0' ? '1' : good === 'X' ? '0' : good === '9' ? 'X' : String(Number(good) + 1);
  return vin.slice(0, 8) + bad + vin.slice(9);
}

// ---- IMEI (Luhn) ----

/** The Luhn check digit for a digit string (the digit to append). */
export function luhnCheckDigit(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** True when a digit string ends in its Luhn check digit. */
export function isValidLuhn(digits) {
  return /^\d{2,}$/.test(digits) && luhnCheckDigit(digits.slice(0, -1)) === digits.at(-1);
}

/** A random 15-digit IMEI: 8-digit TAC starting 86 (a common reporting-body prefix), 6-digit serial, Luhn digit. */
export function makeImei(rng) {
  const body = `86${rng.digits(12)}`;
  return body + luhnCheckDigit(body);
}

// ---- Phone (mainland China mobile, E.164) ----

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155',
  '156', '157', '158', '159', '166', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '199'];

/** A random mainland mobile number as 11 national digits. */
export function makeMobileNational(rng) {
  return rng.pick(MOBILE_PREFIXES) + rng.digits(8);
}

/** E.164 form of a mainland mobile's 11 national digits. */
export function phoneE164(national) {
  return `+86${national}`;
}

/** Spellings of one mainland mobile number that all normalize to the same E.164 form. */
export function phoneSpellings(national) {
  const a = national.slice(0, 3);
  const b = national.slice(3, 7);
  const c = national.slice(7);
  return [`+86 ${a} ${b} ${c}`, national, `+86${national}`, `0086-${a}-${b}-${c}`, `(+86) ${a}-${b}-${c}`];
}

// ---- MAC ----

/** A random unicast, globally administered MAC as six octets. */
export function makeMacOctets(rng) {
  const octets = Array.from({ length: 6 }, () => rng.int(256));
  octets[0] &= 0xfc; // I/G bit clear (unicast), U/L bit clear (globally administered, not randomized).
  return octets;
}

const hex2 = (o) => o.toString(16).padStart(2, '0');

/** Canonical MAC: lower-case hex with colons. */
export function macCanonical(octets) {
  return octets.map(hex2).join(':');
}

/** Spellings of one MAC that normalize to the same canonical form. */
export function macSpellings(octets) {
  const lower = octets.map(hex2);
  const upper = lower.map((o) => o.toUpperCase());
  const bare = lower.join('');
  return [
    upper.join(':'),
    lower.join('-'),
    `${bare.slice(0, 4)}.${bare.slice(4, 8)}.${bare.slice(8)}`,
    upper.join(''),
    lower.join(':'),
  ];
}

// ---- Opaque device ids ----

/** A random lower-case UUID (version 4 layout), used as an app/device id. */
export function makeDeviceUuid(rng) {
  const h = Array.from({ length: 32 }, () => rng.int(16).toString(16));
  h[12] = '4';
  h[16] = '89ab'[rng.int(4)];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

// ---- People ----

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英', '建华', '志强'];

/** A random Chinese personal name. */
export function makeName(rng) {
  return rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.next() < 0.5 ? rng.pick(GIVEN) : '');
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const REGIONS = ['110101', '310104', '440305', '330106', '510107', '420102', '320102', '500103'];

/**
 * A mainland driving-licence number, which is the holder's 18-character resident identity number: region code,
 * birth date, sequence, and the ISO 7064 MOD 11-2 check character.
 */
export function makeLicenceNumber(rng, adult = true) {
  const year = adult ? 1960 + rng.int(40) : 2009 + rng.int(8);
  const month = String(1 + rng.int(12)).padStart(2, '0');
  const day = String(1 + rng.int(28)).padStart(2, '0');
  const body = `${rng.pick(REGIONS)}${year}${month}${day}${rng.digits(3)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (body.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return body + ID_CHECK[sum % 11];
}
