/**
 * The POR commutation verdicts already computed, per pair of steps. A verdict is stored under a footing: a
 * set of actors whose local states and pending messages, with shared memory, include everything its
 * computation read (bus/reads.ts). A state that agrees with the stored one on a footing makes the same (pure)
 * computation read the same values and reach the same verdict, so a hit returns exactly what the check would
 * compute again; docs/soundness.md. A pair's footings form a chain (each one contains the previous ones), so
 * a lookup tries a few fingerprints at most.
 */
import type { Reads } from './reads';

/** The state's fingerprint over these actors' local states and pending messages (shared memory included). */
export type Fingerprint = (actors: readonly number[], pending: readonly number[]) => string;

interface Footing {
  readonly id: number;
  readonly actors: readonly number[];
  readonly pending: readonly number[];
  readonly sig: string;
}

export class CommuteMemo {
  /** Per pair of steps: the footings its verdicts are stored under, smallest first. */
  private readonly footings = new Map<string, Footing[]>();
  private readonly verdicts = new Map<string, boolean>();
  /** Steps by their (long) keys, numbered so that a pair's key is short. */
  private readonly steps = new Map<string, number>();
  private footingCount = 0;

  /** A short number for a step's key (the same key, the same number). */
  step(key: string): number {
    let n = this.steps.get(key);
    if (n === undefined) this.steps.set(key, (n = this.steps.size));
    return n;
  }

  /** The remembered verdict of `pair` in this state, or undefined. */
  get(pair: string, fingerprint: Fingerprint): boolean | undefined {
    const list = this.footings.get(pair);
    if (!list) return undefined;
    for (const f of list) {
      const v = this.verdicts.get(pair + f.sig + fingerprint(f.actors, f.pending));
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Remember `verdict`, computed from `reads` (which must name both actors of the pair). */
  set(pair: string, reads: Reads, fingerprint: Fingerprint, verdict: boolean): void {
    let list = this.footings.get(pair);
    if (!list) this.footings.set(pair, (list = []));
    let f = list.find((g) => covers(g, reads));
    if (!f) {
      // The new footing contains the largest one so far: the chain stays a chain.
      const top = list[list.length - 1];
      f = footing(this.footingCount++, [...reads.actors, ...(top?.actors ?? [])], [...reads.pending, ...(top?.pending ?? [])]);
      list.push(f);
    }
    this.verdicts.set(pair + f.sig + fingerprint(f.actors, f.pending), verdict);
  }
}

function covers(f: Footing, reads: Reads): boolean {
  return reads.actors.every((a) => f.actors.includes(a)) && reads.pending.every((a) => f.pending.includes(a));
}

function footing(id: number, actors: readonly number[], pending: readonly number[]): Footing {
  const a = [...new Set(actors)].sort((x, y) => x - y);
  const p = [...new Set(pending)].sort((x, y) => x - y);
  return { id, actors: a, pending: p, sig: `|${id}|` };
}
