/**
 * The visited set of an exhaustive search: which canonical states were reached, and from where, so a
 * counterexample can be rebuilt. Two implementations: `FingerprintSet` (64-bit fingerprints, ≤ 16 bytes
 * a state, a bounded probability of a collision; the default) and `ExactVisitedSet` (full keys, no
 * probability, several times the memory). Neither has a size ceiling below the machine's memory.
 */
export type VisitedMode = 'fingerprint' | 'exact';

/** What a result says about the visited set (printed in text and JSON). */
export interface VisitedSummary {
  mode: VisitedMode;
  /** Fingerprint width; null in exact mode. */
  fingerprintBits: number | null;
  /** Bytes the set's tables hold per state (fingerprint mode); null in exact mode (keys live on the JS heap). */
  bytesPerState: number | null;
  /** Upper bound on the probability that two distinct states shared a fingerprint (so one may have been missed); 0 in exact mode. */
  collisionProbability: number;
  /** Frontier states that were written to the spill store (0 if it never spilled). */
  spilledFrontierStates: number;
}

export interface VisitedSet {
  readonly mode: VisitedMode;
  readonly size: number;
  /** Record `key`, reached from `parent` (null for the initial state); false if it was already there. */
  add(key: string, parent: string | null): boolean;
  has(key: string): boolean;
  /**
   * The keys from the initial state to `key`. A set that keeps only fingerprints re-executes the path
   * forward with `successors` (the keys of a state's successors), matching fingerprints step by step.
   */
  path(key: string, successors: (key: string) => Iterable<string>): string[];
  summary(spilledFrontierStates: number): VisitedSummary;
}
