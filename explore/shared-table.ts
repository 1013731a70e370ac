/**
 * The visited set of the bfs on worker threads, shared by all of them in SharedArrayBuffers: open addressing
 * over 64-bit fingerprints, with each state's parent fingerprint and depth beside it (five 32-bit words, 20
 * bytes a slot, grown before it is 3/4 full: 27 to 53 bytes a state). No locks beyond a slot's own state word.
 * Used level by level: while level d is expanded, depths ≤ d are final and read ("reached at depth ≤ d?",
 * the bfs cycle proviso) while every worker inserts its successors at depth d+1 (a compare-and-swap claims an
 * empty slot, so exactly one worker gets 'new' for a state); between levels one thread may grow it
 * (`grownFor`). Among the parents met in the level that first reaches a state the least fingerprint is kept
 * (under a hold of the slot's state word), so the recorded tree does not depend on timing.
 */
import { InternalError } from '../util/errors';

/** What a worker is sent to reach the same table: the slots, and the state count (which outlives growth). */
export interface SharedTableBuffers {
  readonly slots: SharedArrayBuffer;
  readonly meta: SharedArrayBuffer;
}

const LOAD = 0.75;
/** Words a slot: fingerprint (hi, lo), parent fingerprint (hi, lo), state. */
const W = 5;
/** The state word: empty, or held by one thread (being filled, or its parent being compared); else depth + 2. */
const EMPTY = 0;
const HELD = 1;

export class SharedTable {
  /** Slot i at [5i..5i+4]: fingerprint hi, lo, parent hi, lo ((0, 0) for the initial state), state (as 32-bit ints). */
  private readonly slots: Int32Array;
  /** [0]: states stored. */
  private readonly count: Int32Array;
  readonly capacity: number;
  /** While `share`d: how many states this thread may insert, and how many it has (else -1: every insert counts at once). */
  private allowance = -1;
  private added = 0;

  private constructor(readonly buffers: SharedTableBuffers) {
    this.slots = new Int32Array(buffers.slots);
    this.capacity = this.slots.length / W;
    this.count = new Int32Array(buffers.meta);
  }

  /** An empty table of `capacity` slots (a power of two). */
  static create(capacity = 1 << 12, meta = new SharedArrayBuffer(4)): SharedTable {
    if (capacity & (capacity - 1) || capacity < 2) throw new InternalError(`shared table: capacity ${capacity} is not a power of two`);
    if (capacity > 2 ** 28) throw new RangeError('shared table: more than 2^28 slots');
    return new SharedTable({ slots: new SharedArrayBuffer(4 * W * capacity), meta });
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

  /**
   * For one level, this thread's share of the room left: it counts its own inserts (the shared count is one cache
   * line all threads would write for every new state) and says 'full' past `1/parts` of the room; `settle` adds
   * them to the shared count at the level's end.
   */
  share(parts: number): void {
    this.allowance = Math.max(0, Math.floor((this.capacity * LOAD - this.size) / parts));
    this.added = 0;
  }

  /** Add this thread's inserts so far to the shared count (its share shrinks by as many): budgets read it mid-level. */
  publish(): void {
    if (this.allowance < 0) return;
    Atomics.add(this.count, 0, this.added);
    this.allowance -= this.added;
    this.added = 0;
  }

  settle(): void {
    this.publish();
    this.allowance = -1;
  }

  /** The slot of (h, l), or -1. Not to be called while others insert. */
  private find(h: number, l: number): number {
    const { slots, capacity } = this;
    const h32 = h | 0;
    const l32 = l | 0;
    for (let i = this.start(h); ; i = (i + 1) & (capacity - 1)) {
      const o = W * i;
      if (slots[o + 4] === EMPTY) return -1;
      if (slots[o] === h32 && slots[o + 1] === l32) return i;
    }
  }

  /** Wait out another thread's hold of slot `o` (a few instructions long); the state word it leaves. */
  private settled(o: number): number {
    let st = Atomics.load(this.slots, o + 4);
    while (st === HELD) st = Atomics.load(this.slots, o + 4);
    return st;
  }

  /**
   * Record (h, l) reached at `depth` from parent (ph, pl); safe while other threads insert at the same depth.
   * 'new' for exactly one caller per state; a state of this depth keeps its least parent; older states are
   * unchanged; 'full' (nothing recorded) when a new state would fill the table past 3/4: grow it, then insert again.
   */
  insert(h: number, l: number, ph: number, pl: number, depth: number): 'new' | 'old' | 'full' {
    if (h === 0 && l === 0) throw new InternalError('shared table: fingerprint (0, 0) is reserved');
    const { slots, capacity } = this;
    const h32 = h | 0;
    const l32 = l | 0;
    const mine = depth + 2;
    for (let i = this.start(h); ; i = (i + 1) & (capacity - 1)) {
      const o = W * i;
      let st = Atomics.load(slots, o + 4);
      if (st === EMPTY) {
        // Threads that pass this check at once may go a few states past 3/4: far from full.
        if (this.allowance >= 0 ? this.added >= this.allowance : Atomics.load(this.count, 0) >= capacity * LOAD) return 'full';
        st = Atomics.compareExchange(slots, o + 4, EMPTY, HELD);
        if (st === EMPTY) {
          slots[o] = h32;
          slots[o + 1] = l32;
          slots[o + 2] = ph | 0;
          slots[o + 3] = pl | 0;
          Atomics.store(slots, o + 4, mine);
          if (this.allowance >= 0) this.added++;
          else Atomics.add(this.count, 0, 1);
          return 'new';
        }
      }
      if (st === HELD) st = this.settled(o);
      if (slots[o] !== h32 || slots[o + 1] !== l32) continue;
      if (st === mine) this.lowerParent(o, ph >>> 0, pl >>> 0, mine);
      return 'old';
    }
  }

  /** The least-parent rule: hold the slot, keep the lesser parent. */
  private lowerParent(o: number, ph: number, pl: number, mine: number): void {
    const { slots } = this;
    while (Atomics.compareExchange(slots, o + 4, mine, HELD) !== mine) this.settled(o);
    const ch = slots[o + 2] >>> 0;
    if (ph < ch || (ph === ch && pl < slots[o + 3] >>> 0)) {
      slots[o + 2] = ph | 0;
      slots[o + 3] = pl | 0;
    }
    Atomics.store(slots, o + 4, mine);
  }

  /** The depth (h, l) was first reached at, or -1 if it is not here. */
  depthOf(h: number, l: number): number {
    const s = this.find(h, l);
    return s < 0 ? -1 : this.slots[W * s + 4] - 2;
  }

  /** The parent fingerprint of a stored state ((0, 0) for the initial state), or undefined if it is not here. */
  parent(h: number, l: number): [number, number] | undefined {
    const s = this.find(h, l);
    return s < 0 ? undefined : [this.slots[W * s + 2] >>> 0, this.slots[W * s + 3] >>> 0];
  }

  /**
   * Between levels, on one thread while no other touches the table: this table if `extra` more states fit, else
   * a larger copy (the same `meta`), which every worker must attach before inserting again.
   */
  grownFor(extra: number): SharedTable {
    const t = this.larger(extra);
    if (!t) return this;
    this.copyStripe(t, 0, 1);
    return t;
  }

  /** A larger empty table (the same `meta`) with room for `extra` more states, or null if they fit here; fill it with `copyStripe`. */
  larger(extra: number): SharedTable | null {
    const need = this.size + extra + 1;
    if (need <= this.capacity * LOAD) return null;
    let cap = this.capacity * 2;
    while (need > cap * LOAD) cap *= 2;
    return SharedTable.create(cap, this.buffers.meta);
  }

  /**
   * Copy stripe `part` of `parts` of this table's slots into `to` (a `larger` table): between levels, every
   * thread its own stripe at once (a compare-and-swap claims each slot of `to`), nobody inserting meanwhile.
   */
  copyStripe(to: SharedTable, part: number, parts: number): void {
    const from = this.slots;
    const cap = to.capacity;
    const n = this.capacity;
    for (let i = Math.floor((n * part) / parts), end = Math.floor((n * (part + 1)) / parts); i < end; i++) {
      const o = W * i;
      const st = from[o + 4];
      if (st === EMPTY) continue;
      for (let j = to.start(from[o] >>> 0); ; j = (j + 1) & (cap - 1)) {
        const p = W * j;
        if (Atomics.compareExchange(to.slots, p + 4, EMPTY, HELD) !== EMPTY) continue;
        to.slots[p] = from[o];
        to.slots[p + 1] = from[o + 1];
        to.slots[p + 2] = from[o + 2];
        to.slots[p + 3] = from[o + 3];
        Atomics.store(to.slots, p + 4, st);
        break;
      }
    }
  }
}
