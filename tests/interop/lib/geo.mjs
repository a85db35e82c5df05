// Attributing output records to plan subjects by their marker grid cell (see plan.mjs).

const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * The bounding box of a geohash, or null when it is not a geohash.
 * @returns {{ latMin: number, latMax: number, lonMin: number, lonMax: number } | null}
 */
export function geohashBox(hash) {
  if (typeof hash !== 'string' || hash.length === 0 || hash.length > 22) return null;
  let latMin = -90, latMax = 90, lonMin = -180, lonMax = 180;
  let lonBit = true;
  for (const ch of hash.toLowerCase()) {
    const v = GEOHASH_ALPHABET.indexOf(ch);
    if (v < 0) return null;
    for (let b = 4; b >= 0; b--) {
      const bit = (v >> b) & 1;
      if (lonBit) {
        const mid = (lonMin + lonMax) / 2;
        if (bit) lonMin = mid; else lonMax = mid;
      } else {
        const mid = (latMin + latMax) / 2;
        if (bit) latMin = mid; else latMax = mid;
      }
      lonBit = !lonBit;
    }
  }
  return { latMin, latMax, lonMin, lonMax };
}

/** Tolerance beyond the jitter for generalization that rounds coordinates (up to 0.01 degrees). */
const TOLERANCE_DEG = 0.011;

/** Finds which subject owns a location, from the plan's grid. */
export class CellIndex {
  /** @param {object} plan @param {{ id: string, cell: { row: number, col: number, lat: number, lon: number } }[]} subjects */
  constructor(plan, subjects) {
    this.grid = plan.grid;
    this.reach = plan.grid.jitterDeg + TOLERANCE_DEG;
    this.subjects = subjects;
    this.byCell = new Map(subjects.map((s) => [s.cell.row * plan.grid.columns + s.cell.col, s]));
  }

  /** The subject whose cell holds (lat, lon), or null. */
  atPoint(lat, lon) {
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
    const g = this.grid;
    const row = Math.round((lat - g.latOrigin) / g.spacingDeg);
    const col = Math.round((lon - g.lonOrigin) / g.spacingDeg);
    if (col < 0 || col >= g.columns) return null;
    const s = this.byCell.get(row * g.columns + col);
    if (!s) return null;
    return Math.abs(lat - s.cell.lat) <= this.reach && Math.abs(lon - s.cell.lon) <= this.reach ? s : null;
  }

  /**
   * Attributes a geohash: { subject } when exactly one subject's cell meets its box, { ambiguous: true } when the
   * box is coarser than the grid or meets several cells, {} when it meets none (or is not a geohash).
   */
  inGeohash(hash) {
    const box = geohashBox(hash);
    if (!box) return { invalid: true };
    if (box.latMax - box.latMin > this.grid.spacingDeg || box.lonMax - box.lonMin > this.grid.spacingDeg) {
      return { ambiguous: true };
    }
    const hits = this.subjects.filter((s) =>
      s.cell.lat + this.reach >= box.latMin && s.cell.lat - this.reach <= box.latMax
      && s.cell.lon + this.reach >= box.lonMin && s.cell.lon - this.reach <= box.lonMax);
    if (hits.length === 1) return { subject: hits[0] };
    return hits.length > 1 ? { ambiguous: true } : {};
  }
}

/** Encodes a point as a geohash of the given length (for tests). */
export function geohashEncode(lat, lon, length) {
  let latMin = -90, latMax = 90, lonMin = -180, lonMax = 180;
  let lonBit = true;
  let out = '';
  let v = 0;
  let bits = 0;
  while (out.length < length) {
    if (lonBit) {
      const mid = (lonMin + lonMax) / 2;
      if (lon >= mid) { v = (v << 1) | 1; lonMin = mid; } else { v <<= 1; lonMax = mid; }
    } else {
      const mid = (latMin + latMax) / 2;
      if (lat >= mid) { v = (v << 1) | 1; latMin = mid; } else { v <<= 1; latMax = mid; }
    }
    lonBit = !lonBit;
    if (++bits === 5) {
      out += GEOHASH_ALPHABET[v];
      v = 0;
      bits = 0;
    }
  }
  return out;
}
