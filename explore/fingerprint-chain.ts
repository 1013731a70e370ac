/**
 * A counterexample recorded as the portable fingerprints of its states (as the thread and Redis searches keep it)
 * re-executed forward from the real initial state: at each step, the successor whose fingerprint is the next one.
 * The keys it returns go to the one trace builder (trace-builder.ts).
 */
import { InternalError } from '../util/errors';
import type { Checkable, World } from './checkable';

/** A state's portable fingerprint as a pair [hi, lo]. */
export function portableFingerprintOf<W extends World>(sys: Checkable<W>, w: W): [number, number] {
  const out = new Uint32Array(2);
  sys.portableFingerprint(w, out);
  return [out[0], out[1]];
}

/** The canonical keys along `chain` ([hi, lo] portable fingerprints, the initial state first). */
export function keysAlongFingerprints<W extends World>(sys: Checkable<W>, chain: readonly (readonly [number, number])[], what: string): string[] {
  const same = (w: W, i: number) => {
    const [h, l] = portableFingerprintOf(sys, w);
    return h === chain[i][0] && l === chain[i][1];
  };
  let w = sys.initial();
  if (!same(w, 0)) throw new InternalError(`${what}: the counterexample does not start at the initial state`);
  const keys = [sys.key(w)];
  for (let i = 1; i < chain.length; i++) {
    const next = sys
      .enabled(w)
      .map((st) => sys.apply(w, st))
      .find((n) => same(n, i));
    if (!next) throw new InternalError(`${what}: step ${i} of the counterexample cannot be re-executed (a fingerprint collision?)`);
    w = next;
    keys.push(sys.key(w));
  }
  return keys;
}
