/**
 * Fingerprint visited set: an open-addressing (linear probing) table of 64-bit fingerprints with, per
 * slot, the slot of the state's parent. Two Uint32Arrays, fingerprints (hi, lo interleaved: one cache
 * line a probe) and parents: 12 bytes a slot, kept between 75 % and 90 % full by growing 1.2× at a
 * time, so 13.3 to 16.0 bytes a state. Up to 2^31 slots (24 GB of table): the machine's memory runs out
 * first. The home slot is the high word scaled to the capacity (Lemire's fastrange: no division). Growing moves states to
 * new slots, so parent slots are renumbered in the same pass; callers name states by key, never by slot.
 */
import { InternalError } from '../util/errors';
import { collisionProbability, fingerprint, fp } from './fingerprint';
import type { VisitedSet, VisitedSummary } from './visited';

const ROOT = 0xffffffff;

export interface FingerprintSetOptions {
  /** Initial slots (default 1024). */
  capacity?: number;
  /** Grow when this full (default 0.9). */
  maxLoad?: number;
  /** Growth factor (default 1.2). */
  growth?: number;
}

export class FingerprintSet implements VisitedSet {
  readonly mode = 'fingerprint';
  private cap: number;
  /** Fingerprint of slot i at [2i] (high word) and [2i+1]; (0, 0) is an empty slot. */
  private fps: Uint32Array;
  private parents: Uint32Array;
  private count = 0;
  private readonly maxLoad: number;
  private readonly growth: number;
  /** The initial state(s), kept whole: counterexamples are re-executed forward from them. */
  private readonly roots: string[] = [];
  /** Siblings share a parent: its slot is looked up once (until the table grows). */
  private memoKey: string | null = null;
  private memoSlot = 0;

  constructor(opts: FingerprintSetOptions = {}) {
    this.cap = Math.max(8, opts.capacity ?? 1024);
    this.maxLoad = opts.maxLoad ?? 0.9;
    this.growth = opts.growth ?? 1.2;
    if (!(this.maxLoad > 0 && this.maxLoad < 1) || !(this.growth > 1)) throw new InternalError('fingerprint set: maxLoad must be in (0, 1) and growth > 1');
    this.fps = new Uint32Array(2 * this.cap);
    this.parents = new Uint32Array(this.cap);
  }

  get size(): number {
    return this.count;
  }

  /** Slots allocated (for tests and the bytes figure). */
  get capacity(): number {
    return this.cap;
  }

  /** The slot holding (h, l), or ~(the empty slot where it would go). */
  private find(h: number, l: number): number {
    const { fps, cap } = this;
    let i = Math.floor(h * cap * 2 ** -32);
    for (;;) {
      const x = fps[2 * i];
      const y = fps[2 * i + 1];
      if (x === h && y === l) return i;
      if (x === 0 && y === 0) return ~i;
      if (++i === cap) i = 0;
    }
  }

  /** The first empty slot from (h, l)'s home: for rehashing, where every fingerprint is known to be new. */
  private empty(h: number): number {
    const { fps, cap } = this;
    let i = Math.floor(h * cap * 2 ** -32);
    while (fps[2 * i] !== 0 || fps[2 * i + 1] !== 0) if (++i === cap) i = 0;
    return i;
  }

  private slotOf(key: string): number {
    if (key === this.memoKey) return this.memoSlot;
    fingerprint(key);
    const s = this.find(fp[0], fp[1]);
    if (s < 0) throw new InternalError('fingerprint set: a parent state was never added');
    this.memoKey = key;
    this.memoSlot = s;
    return s;
  }

  add(key: string, parent: string | null): boolean {
    let p = parent === null ? ROOT : this.slotOf(parent);
    fingerprint(key);
    const h = fp[0];
    const l = fp[1];
    let s = this.find(h, l);
    if (s >= 0) return false;
    if (this.count + 1 > this.cap * this.maxLoad) {
      const moved = this.grow();
      if (p !== ROOT) p = moved[p];
      this.memoKey = null;
      s = this.find(h, l);
    }
    s = ~s;
    this.fps[2 * s] = h;
    this.fps[2 * s + 1] = l;
    this.parents[s] = p;
    this.count++;
    if (parent === null) this.roots.push(key);
    return true;
  }

  has(key: string): boolean {
    fingerprint(key);
    return this.find(fp[0], fp[1]) >= 0;
  }

  /** Rehash into a table `growth` times larger; returns old slot → new slot, to renumber parents. */
  private grow(): Uint32Array {
    const old = { fps: this.fps, parents: this.parents, cap: this.cap };
    this.cap = Math.ceil(old.cap * this.growth);
    if (this.cap > 2 ** 31) throw new RangeError('fingerprint set: more than 2^31 slots');
    this.fps = new Uint32Array(2 * this.cap);
    this.parents = new Uint32Array(this.cap);
    const moved = new Uint32Array(old.cap);
    for (let i = 0; i < old.cap; i++) {
      const h = old.fps[2 * i];
      const l = old.fps[2 * i + 1];
      if (h === 0 && l === 0) continue;
      const s = this.empty(h);
      this.fps[2 * s] = h;
      this.fps[2 * s + 1] = l;
      this.parents[s] = old.parents[i];
      moved[i] = s;
    }
    for (let s = 0; s < this.cap; s++) {
      const p = this.parents[s];
      if (p !== ROOT && (this.fps[2 * s] !== 0 || this.fps[2 * s + 1] !== 0)) this.parents[s] = moved[p];
    }
    return moved;
  }

  path(key: string, successors: (key: string) => Iterable<string>): string[] {
    fingerprint(key);
    let s = this.find(fp[0], fp[1]);
    if (s < 0) throw new InternalError('fingerprint set: the counterexample state was never added');
    const chain: number[] = [];
    for (; s !== ROOT; s = this.parents[s]) chain.push(s);
    chain.reverse();
    const same = (k: string, slot: number) => {
      fingerprint(k);
      return fp[0] === this.fps[2 * slot] && fp[1] === this.fps[2 * slot + 1];
    };
    let at = this.roots.find((r) => same(r, chain[0]));
    if (at === undefined) throw new InternalError('fingerprint set: no initial state matches the counterexample');
    const keys = [at];
    for (let i = 1; i < chain.length; i++) {
      let next: string | undefined;
      for (const k of successors(at))
        if (same(k, chain[i])) {
          next = k;
          break;
        }
      if (next === undefined) throw new InternalError(`fingerprint set: step ${i} of the counterexample cannot be re-executed (a fingerprint collision?)`);
      at = next;
      keys.push(at);
    }
    return keys;
  }

  summary(spilledFrontierStates: number): VisitedSummary {
    const bytes = this.cap * 12;
    return {
      mode: 'fingerprint',
      fingerprintBits: 64,
      bytesPerState: this.count ? +(bytes / this.count).toFixed(1) : null,
      collisionProbability: collisionProbability(this.count),
      spilledFrontierStates,
    };
  }
}
