/**
 * The visited set of the bfs on worker threads, shared by all of them in SharedArrayBuffers: open addressing
 * over 64-bit fingerprints, with each state's parent fingerprint and depth beside it (20 bytes a slot, grown
 * before it is 3/4 full: 27 to 53 bytes a state). Used level by level: while level d is expanded the table is
 * only read ("reached at depth ≤ d?", the bfs cycle proviso); then every worker inserts its successors at
 * depth d+1 concurrently (compare-and-swap on the fingerprint word, so exactly one worker gets 'new' for a state);
 * between levels one thread may grow it (`grownFor`). Among the parents met in the level that first reaches a
 * state the least fingerprint is kept (a compare-and-swap loop), so the recorded tree does not depend on timing.
 */
import { InternalError } from '../util/errors';

/** What a worker is sent to reach the same table: the slots, and the state count (which outlives growth). */
export interface SharedTableBuffers {
  readonly slots: SharedArrayBuffer;
  readonly meta: SharedArrayBuffer;
}

/** Parent of a slot not yet given one (the least-parent rule lowers it). */
const NO_PARENT = 0xffffffffffffffffn;
const LOAD = 0.75;

const word = (h: number, l: number): bigint => (BigInt(h) << 32n) | BigInt(l);

export class SharedTable {
  /** Fingerprint per slot; 0 for an empty slot ((0, 0) is never a fingerprint). */
  private readonly keys: BigUint64Array;
  /** Parent fingerprint per slot: 0 for the initial state, NO_PARENT until set. */
  private readonly parents: BigUint64Array;
  /** Depth + 1 per slot: 0 while the slot's inserter has not yet written it. */
  private readonly depths: Int32Array;
  /** [0]: states stored. */
  private readonly count: Int32Array;
  readonly capacity: number;

  private constructor(readonly buffers: SharedTableBuffers) {
    const cap = buffers.slots.byteLength / 20;
    this.capacity = cap;
    this.keys = new BigUint64Array(buffers.slots, 0, cap);
    this.parents = new BigUint64Array(buffers.slots, 8 * cap, cap);
    this.depths = new Int32Array(buffers.slots, 16 * cap, cap);
    this.count = new Int32Array(buffers.meta);
  }

  /** An empty table of `capacity` slots (a power of two). */
  static create(capacity = 1 << 12, meta = new SharedArrayBuffer(4)): SharedTable {
    if (capacity & (capacity - 1) || capacity < 2) throw new InternalError(`shared table: capacity ${capacity} is not a power of two`);
    if (capacity > 2 ** 29) throw new RangeError('shared table: more than 2^29 slots');
    const t = new SharedTable({ slots: new SharedArrayBuffer(20 * capacity), meta });
    t.parents.fill(NO_PARENT);
    return t;
  }

  /** The table another thread created (its `buffers`). */
  static attach(buffers: SharedTableBuffers): SharedTable {
    return new SharedTable(buffers);
  }

  get size(): number {
    return Atomics.load(this.count, 0);
  }

  get bytes(): number {
    return this.buffers.slots.byteLength;
  }

  private start(h: number): number {
    return Math.floor((h >>> 0) * this.capacity * 2 ** -32);
  }

  /** The slot of (h, l), or -1. Not to be called while others insert. */
  private find(h: number, l: number): number {
    const k = word(h, l);
    const { keys, capacity } = this;
    for (let i = this.start(h); ; i = (i + 1) & (capacity - 1)) {
      const x = keys[i];
      if (x === k) return i;
      if (x === 0n) return -1;
    }
  }

  /**
   * Record (h, l) reached at `depth` from parent (ph, pl); safe while other threads insert at the same depth.
   * 'new' for exactly one caller per state; a state of this depth keeps its least parent; older states are unchanged.
   */
  insert(h: number, l: number, ph: number, pl: number, depth: number): 'new' | 'old' {
    if (h === 0 && l === 0) throw new InternalError('shared table: fingerprint (0, 0) is reserved');
    const k = word(h, l);
    const { keys, capacity } = this;
    for (let i = this.start(h); ; i = (i + 1) & (capacity - 1)) {
      let x = Atomics.load(keys, i);
      if (x === 0n) {
        x = Atomics.compareExchange(keys, i, 0n, k);
        if (x === 0n) {
          this.lowerParent(i, word(ph, pl));
          Atomics.store(this.depths, i, depth + 1);
          if (Atomics.add(this.count, 0, 1) + 1 > capacity * LOAD + 1)
            throw new InternalError('shared table: full (it should have been grown between levels)');
          return 'new';
        }
      }
      if (x !== k) continue;
      const d = Atomics.load(this.depths, i);
      // 0: inserted in this phase, its depth not yet written; depth + 1: this level. Anything else is older.
      if (d === 0 || d === depth + 1) this.lowerParent(i, word(ph, pl));
      return 'old';
    }
  }

  private lowerParent(i: number, p: bigint): void {
    for (let cur = Atomics.load(this.parents, i); p < cur; ) {
      const was = Atomics.compareExchange(this.parents, i, cur, p);
      if (was === cur) return;
      cur = was;
    }
  }

  /** The depth (h, l) was first reached at, or -1 if it is not here. */
  depthOf(h: number, l: number): number {
    const s = this.find(h, l);
    return s < 0 ? -1 : this.depths[s] - 1;
  }

  /** The parent fingerprint of a stored state ((0, 0) for the initial state), or undefined if it is not here. */
  parent(h: number, l: number): [number, number] | undefined {
    const s = this.find(h, l);
    if (s < 0) return undefined;
    const p = this.parents[s];
    return [Number(p >> 32n), Number(p & 0xffffffffn)];
  }

  /**
   * Between levels, on one thread while no other touches the table: this table if `extra` more states fit, else
   * a larger copy (the same `meta`), which every worker must attach before inserting again.
   */
  grownFor(extra: number): SharedTable {
    const need = this.size + extra + 1;
    if (need <= this.capacity * LOAD) return this;
    let cap = this.capacity * 2;
    while (need > cap * LOAD) cap *= 2;
    const t = SharedTable.create(cap, this.buffers.meta);
    for (let i = 0; i < this.capacity; i++) {
      const k = this.keys[i];
      if (k === 0n) continue;
      let j = t.start(Number(k >> 32n));
      while (t.keys[j] !== 0n) j = (j + 1) & (cap - 1);
      t.keys[j] = k;
      t.parents[j] = this.parents[i];
      t.depths[j] = this.depths[i];
    }
    return t;
  }
}
