/**
 * One worker's share of a partitioned visited set: an open-addressing table of 64-bit fingerprints with, per
 * slot, the fingerprint of the state's parent (the parent may live in another worker's share, so it is named
 * by fingerprint, not by slot), the depth it was first reached at (the bfs cycle proviso asks "reached at
 * depth ≤ d?"). Five Uint32 words a slot, grown 1.5× past 75 % full: 27 to 40 bytes a state. Among the parents met in the level that first reaches a
 * state, the least fingerprint is kept, so the recorded tree, hence the counterexample, does not depend on timing.
 */
import { InternalError } from '../util/errors';

const W = 5;

/** What `add` did: a new state, a known state of the same level given a lesser parent, or nothing. */
export type Added = 'new' | 'better' | 'old';

export class PartitionTable {
  private cap = 1024;
  /** Slot i at [5i..5i+4]: fingerprint (hi, lo), parent (hi, lo; (0, 0) for none), depth. Fingerprint (0, 0): empty. */
  private slots = new Uint32Array(W * this.cap);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes the table holds. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private find(h: number, l: number): number {
    const { slots, cap } = this;
    let i = Math.floor(h * cap * 2 ** -32);
    for (;;) {
      const a = slots[W * i];
      const b = slots[W * i + 1];
      if (a === 0 && b === 0) return ~i;
      if (a === h && b === l) return i;
      i = i + 1 === cap ? 0 : i + 1;
    }
  }

  /** Record (h, l), first reached at `depth` from parent (ph, pl). */
  add(h: number, l: number, ph: number, pl: number, depth: number): Added {
    if (h === 0 && l === 0) throw new InternalError('partition table: fingerprint (0, 0) is reserved');
    let s = this.find(h, l);
    if (s >= 0) {
      const o = W * s;
      const s2 = this.slots;
      if (s2[o + 4] !== depth || ph > s2[o + 2] || (ph === s2[o + 2] && pl >= s2[o + 3])) return 'old';
      s2[o + 2] = ph;
      s2[o + 3] = pl;
      return 'better';
    }
    if (this.count + 1 > this.cap * 0.75) {
      this.grow();
      s = this.find(h, l);
    }
    const o = W * ~s;
    this.slots[o] = h;
    this.slots[o + 1] = l;
    this.slots[o + 2] = ph;
    this.slots[o + 3] = pl;
    this.slots[o + 4] = depth;
    this.count++;
    return 'new';
  }

  /** The depth (h, l) was first reached at, or -1 if it is not here. */
  depthOf(h: number, l: number): number {
    const s = this.find(h, l);
    return s < 0 ? -1 : this.slots[W * s + 4];
  }

  /** The parent fingerprint of a recorded state ((0, 0) for the initial state), or undefined if it is not here. */
  parent(h: number, l: number): [number, number] | undefined {
    const s = this.find(h, l);
    return s < 0 ? undefined : [this.slots[W * s + 2], this.slots[W * s + 3]];
  }

  private grow(): void {
    const old = this.slots;
    this.cap = Math.ceil(this.cap * 1.5);
    if (this.cap > 2 ** 29) throw new RangeError('partition table: more than 2^29 slots');
    this.slots = new Uint32Array(W * this.cap);
    for (let i = 0; i < old.length; i += W) {
      if (old[i] === 0 && old[i + 1] === 0) continue;
      this.slots.set(old.subarray(i, i + W), W * ~this.find(old[i], old[i + 1]));
    }
  }
}
