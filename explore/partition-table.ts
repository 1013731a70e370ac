/**
 * One worker's share of a partitioned visited set: an open-addressing table of 64-bit fingerprints with, per
 * slot, the fingerprint of the state's parent (the parent may live in another worker's share, so it is named
 * by fingerprint, not by slot). Four Uint32 words a slot, grown 1.5× past 75 % full: ≤ 21.4 bytes a state.
 * A counterexample is rebuilt by asking each owner for the parent of the next state back to the root.
 */
import { InternalError } from '../util/errors';

/** The parent of the initial state. */
export const NO_PARENT: readonly [number, number] = [0, 0];

export class PartitionTable {
  private cap = 1024;
  /** Slot i: [4i, 4i+1] its fingerprint, [4i+2, 4i+3] its parent's ((0, 0): none); fingerprint (0, 0) marks an empty slot. */
  private slots = new Uint32Array(4 * this.cap);
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
      const a = slots[4 * i];
      const b = slots[4 * i + 1];
      if (a === 0 && b === 0) return ~i;
      if (a === h && b === l) return i;
      i = i + 1 === cap ? 0 : i + 1;
    }
  }

  /** Record (h, l) with its parent; false if it was already there. */
  add(h: number, l: number, ph: number, pl: number): boolean {
    if (h === 0 && l === 0) throw new InternalError('partition table: fingerprint (0, 0) is reserved');
    let s = this.find(h, l);
    if (s >= 0) return false;
    if (this.count + 1 > this.cap * 0.75) {
      this.grow();
      s = this.find(h, l);
    }
    s = ~s;
    this.slots.set([h, l, ph, pl], 4 * s);
    this.count++;
    return true;
  }

  has(h: number, l: number): boolean {
    return this.find(h, l) >= 0;
  }

  /** The parent fingerprint of a recorded state ((0, 0) for the initial state), or undefined if it is not here. */
  parent(h: number, l: number): [number, number] | undefined {
    const s = this.find(h, l);
    return s < 0 ? undefined : [this.slots[4 * s + 2], this.slots[4 * s + 3]];
  }

  private grow(): void {
    const old = this.slots;
    this.cap = Math.ceil(this.cap * 1.5);
    if (this.cap > 2 ** 30) throw new RangeError('partition table: more than 2^30 slots');
    this.slots = new Uint32Array(4 * this.cap);
    for (let i = 0; i < old.length; i += 4) {
      if (old[i] === 0 && old[i + 1] === 0) continue;
      const s = ~this.find(old[i], old[i + 1]);
      this.slots.set(old.subarray(i, i + 4), 4 * s);
    }
  }
}
