/**
 * What the one search loop (search.ts) stores its states in: a visited set that names each new state by a
 * reference `R` and a frontier of references to expand. Exhaustive search names states by key (a
 * `KeyedStore` over a fingerprint or exact visited set, with a frontier that may spill); the graph
 * passes that need state numbers (lasso, forAllInterleavings) use numbered-states.ts.
 */
import { FifoFrontier, LifoFrontier, type Frontier, type SpillOptions } from './frontier';
import type { VisitedSet, VisitedSummary } from './visited';

/** The states still to expand, each with its depth. */
export interface StoreFrontier<R> {
  push(ref: R, depth: number): void;
  pop(): { ref: R; depth: number } | undefined;
  readonly size: number;
  /** Entries written to a spill store so far (0 if it cannot spill). */
  readonly spilled: number;
}

export interface SearchStore<R> {
  readonly size: number;
  /** Record `key`, reached from `parent` (undefined for the initial state) at `depth`: its reference, or undefined if it was already there. */
  add(key: string, parent: R | undefined, depth: number): R | undefined;
  /** Whether `key` was reached (the cycle proviso of the reduction asks). */
  has(key: string): boolean;
  keyOf(ref: R): string;
  /** A new empty frontier in this order (FIFO for bfs, LIFO for dfs). */
  frontier(order: 'bfs' | 'dfs'): StoreFrontier<R>;
}

/** States named by their canonical key, in a fingerprint or exact visited set; the frontier spills if given a store. */
export class KeyedStore implements SearchStore<string> {
  constructor(
    readonly visited: VisitedSet,
    private readonly spill?: SpillOptions,
  ) {}

  get size(): number {
    return this.visited.size;
  }

  add(key: string, parent: string | undefined): string | undefined {
    return this.visited.add(key, parent ?? null) ? key : undefined;
  }

  has(key: string): boolean {
    return this.visited.has(key);
  }

  keyOf(ref: string): string {
    return ref;
  }

  frontier(order: 'bfs' | 'dfs'): StoreFrontier<string> {
    const f: Frontier = order === 'dfs' ? new LifoFrontier(this.spill) : new FifoFrontier(this.spill);
    return {
      push: (key, depth) => f.push(key, depth),
      pop: () => {
        const e = f.pop();
        return e && { ref: e.key, depth: e.depth };
      },
      get size() {
        return f.size;
      },
      get spilled() {
        return f.spilled;
      },
    };
  }

  /** The keys from the initial state to `key` (re-executed with `successors` if only fingerprints are kept). */
  path(key: string, successors: (key: string) => Iterable<string>): string[] {
    return this.visited.path(key, successors);
  }

  summary(spilledFrontierStates: number): VisitedSummary {
    return this.visited.summary(spilledFrontierStates);
  }
}
