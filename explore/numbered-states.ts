/**
 * Numbered states (forAllInterleavings): key → state number, with the parent and depth of each state for counterexamples.
 * Holds every key (a Map: 2^24 states at most); exhaustive searches use explore/visited.ts instead.
 */
export interface NumberedStateSet {
  /** Add a state; returns its number, or -1 if the key was already there. */
  add(key: string, parent: number, depth: number): number;
  has(key: string): boolean;
  readonly size: number;
  keyOf(n: number): string;
  parentOf(n: number): number;
  depthOf(n: number): number;
}

/** In-memory visited set: a Map of keys plus typed arrays for parents and depths. */
export class MemoryVisitedSet implements NumberedStateSet {
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private parents = new Int32Array(1 << 16);
  private depths = new Uint32Array(1 << 16);

  add(key: string, parent: number, depth: number): number {
    if (this.index.has(key)) return -1;
    const n = this.keys.length;
    if (n === this.parents.length) {
      const p = new Int32Array(n * 2);
      p.set(this.parents);
      this.parents = p;
      const d = new Uint32Array(n * 2);
      d.set(this.depths);
      this.depths = d;
    }
    this.index.set(key, n);
    this.keys.push(key);
    this.parents[n] = parent;
    this.depths[n] = depth;
    return n;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get size(): number {
    return this.keys.length;
  }

  keyOf(n: number): string {
    return this.keys[n];
  }

  parentOf(n: number): number {
    return this.parents[n];
  }

  depthOf(n: number): number {
    return this.depths[n];
  }
}
