// A small seeded generator (mulberry32): every fuzz case is reproducible from
// (seed, index) alone, so a failure can be regenerated without a log.

export class Rng {
  constructor(seed) {
    this.s = seed >>> 0;
  }

  static forCase(seed, index) {
    // Mix both numbers so neighbouring cases do not share streams.
    let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
    h ^= h >>> 16;
    return new Rng(h);
  }

  next() {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [0, n). */
  int(n) {
    return Math.floor(this.next() * n);
  }

  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }

  chance(p) {
    return this.next() < p;
  }

  pick(list) {
    return list[this.int(list.length)];
  }

  /** Small numbers often, large ones sometimes. */
  small(max = 8) {
    return this.chance(0.8) ? this.int(max) : this.int(max * 16);
  }
}
