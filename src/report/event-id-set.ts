/**
 * A set of event ids that stores a 64-bit hash per id instead of the id itself: 8 bytes per slot
 * in two typed arrays (at most half full, so ≤ 16 bytes per distinct event) rather than ~100 bytes
 * per string in a `Set`. Deduplication needs one entry per distinct event — that is the only part
 * of the report whose memory grows with the number of events.
 *
 * Two different ids collide with probability about n² / 2^65 (≈ 3·10⁻⁸ for a million events);
 * a collision would drop one event as a "duplicate".
 */
export class EventIdSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Adds the id; false when it was already there. */
  add(id: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c ^ id.length;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = fmix(h1);
    h2 = fmix(h2 ^ h1);
    // (0, 0) marks an empty slot.
    if (h1 === 0 && h2 === 0) h2 = 1;
    return this.insert(h1 >>> 0, h2 >>> 0);
  }

  private insert(h1: number, h2: number): boolean {
    let slot = h1 & this.mask;
    for (;;) {
      const a = this.hi[slot] ?? 0;
      const b = this.lo[slot] ?? 0;
      if (a === 0 && b === 0) break;
      if (a === h1 && b === h2) return false;
      slot = (slot + 1) & this.mask;
    }
    this.hi[slot] = h1;
    this.lo[slot] = h2;
    this.size++;
    if (this.size * 2 > this.mask + 1) this.grow();
    return true;
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    this.hi = new Uint32Array(oldHi.length * 2);
    this.lo = new Uint32Array(oldLo.length * 2);
    this.mask = this.hi.length - 1;
    this.size = 0;
    for (let i = 0; i < oldHi.length; i++) {
      const a = oldHi[i] ?? 0;
      const b = oldLo[i] ?? 0;
      if (a !== 0 || b !== 0) this.insert(a, b);
    }
  }
}

/** MurmurHash3's finaliser: spreads every input bit over the whole word. */
function fmix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}
