/**
 * The cycle proviso's question for the one search loop: "was this state reached already?" (dfs), or "was it
 * reached at depth ≤ d?" for a state of depth d (bfs, level-sync.ts), so that a one-thread bfs and a
 * level-synchronous parallel bfs reduce the same states. A FIFO frontier expands levels in order, so the
 * only states of depth > d in the store are those first reached while level d is expanded: kept here.
 */
import { InternalError } from '../util/errors';
import type { SearchStore } from './store';

export class Proviso<R> {
  /** Keys first reached at depth `level + 1` (bfs only); emptied when the search moves to the next level. */
  private next = new Set<string>();
  private level = 0;

  constructor(
    private readonly order: 'bfs' | 'dfs',
    private readonly store: SearchStore<R>,
    /** Whether any question will be asked (reduction on, system not acyclic): else nothing is kept. */
    private readonly active: boolean,
  ) {}

  /** Whether the state of key `key` counts as already reached for a state of depth `depth` being expanded. */
  reached(key: string, depth: number): boolean {
    if (!this.store.has(key)) return false;
    if (this.order === 'dfs') return true;
    this.enter(depth);
    return !this.next.has(key);
  }

  /** A state first reached at `depth` (only bfs keeps track, and only of the level being built). */
  added(key: string, depth: number): void {
    if (this.order === 'dfs' || !this.active) return;
    this.enter(depth - 1);
    this.next.add(key);
  }

  private enter(depth: number): void {
    if (depth === this.level) return;
    if (depth < this.level) throw new InternalError(`bfs proviso: level ${depth} expanded after level ${this.level}`);
    this.level = depth;
    this.next = new Set();
  }
}
