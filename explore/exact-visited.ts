/**
 * Exact visited set: full canonical keys with their parent keys. Sharded over 64 Maps because one V8
 * Map stops at 2^24 entries (`RangeError: Map maximum size exceeded`): 64 × 2^24 ≈ 10^9 keys, more
 * than the keys 24 GB can hold.
 */
import { InternalError } from '../util/errors';
import { fingerprint, fp } from './fingerprint';
import type { VisitedSet, VisitedSummary } from './visited';

const SHARDS = 64;

export class ExactVisitedSet implements VisitedSet {
  readonly mode = 'exact';
  /** key → parent key (null for the initial state); parent strings are shared, not copied. */
  private readonly shards = Array.from({ length: SHARDS }, () => new Map<string, string | null>());
  private count = 0;

  private shard(key: string): Map<string, string | null> {
    fingerprint(key);
    return this.shards[fp[1] & (SHARDS - 1)];
  }

  get size(): number {
    return this.count;
  }

  add(key: string, parent: string | null): boolean {
    const m = this.shard(key);
    if (m.has(key)) return false;
    m.set(key, parent);
    this.count++;
    return true;
  }

  has(key: string): boolean {
    return this.shard(key).has(key);
  }

  path(key: string): string[] {
    const keys: string[] = [];
    for (let k: string | null | undefined = key; k !== null; k = this.shard(k).get(k)) {
      if (k === undefined) throw new InternalError('exact visited set: a parent key is missing');
      keys.push(k);
    }
    return keys.reverse();
  }

  summary(spilledFrontierStates: number): VisitedSummary {
    return { mode: 'exact', fingerprintBits: null, bytesPerState: null, collisionProbability: 0, spilledFrontierStates };
  }
}
