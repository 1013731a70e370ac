/**
 * Numbered states (the lasso's state graph, forAllInterleavings, the tests' graph helper): key → state number,
 * with the parent and depth of each state for counterexamples. Holds every key (a Map: 2^24 states at most);
 * exhaustive searches use a KeyedStore (store.ts) instead.
 */
import type { SearchStore, StoreFrontier } from './store';

/** In-memory numbered set: a Map of keys plus typed arrays for parents and depths. */
export class MemoryVisitedSet implements SearchStore<number> {
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private parents = new Int32Array(1 << 16);
  private depths = new Uint32Array(1 << 16);

  /** Add a state; returns its number, or undefined if the key was already there. */
  add(key: string, parent: number | undefined, depth: number): number | undefined {
    if (this.index.has(key)) return undefined;
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
    this.parents[n] = parent ?? -1;
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

  /** The parent's number, -1 for the initial state. */
  parentOf(n: number): number {
    return this.parents[n];
  }

  depthOf(n: number): number {
    return this.depths[n];
  }

  /** Numbers only (depths are looked up): a growing Int32Array used as a queue or a stack. */
  frontier(order: 'bfs' | 'dfs'): StoreFrontier<number> {
    return new NumberFrontier(order === 'dfs', (n) => this.depths[n]);
  }
}

class NumberFrontier implements StoreFrontier<number> {
  private items = new Int32Array(1 << 12);
  private head = 0;
  private tail = 0;
  readonly spilled = 0;

  constructor(
    private readonly lifo: boolean,
    private readonly depthOf: (n: number) => number,
  ) {}

  push(n: number): void {
    if (this.tail === this.items.length) {
      const live = this.tail - this.head;
      const next = live * 2 > this.items.length ? new Int32Array(this.items.length * 2) : this.items;
      next.set(this.items.subarray(this.head, this.tail));
      this.items = next;
      this.head = 0;
      this.tail = live;
    }
    this.items[this.tail++] = n;
  }

  pop(): { ref: number; depth: number } | undefined {
    if (this.head === this.tail) return undefined;
    const n = this.lifo ? this.items[--this.tail] : this.items[this.head++];
    return { ref: n, depth: this.depthOf(n) };
  }

  get size(): number {
    return this.tail - this.head;
  }
}
